"""The evaluation's second question (issue 16): an admin opens a short survey, each
teacher is asked once on her start page, answers are kept only as counts per school, and
results show only where at least 5 answers stand behind a figure."""

import re
from datetime import timedelta

from sqlalchemy import func, inspect, select

from campus.extensions import db
from campus.models import Role, Survey, SurveySeen, SurveyTally
from campus.reports.period import today_in_berlin


def _open(as_user, admin, **changes) -> Survey:
    today = today_in_berlin()
    data = {
        "title": "Befragung Herbst",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=13)).isoformat(),
        "q0": "Wie oft nutzen Sie Tablets?",
        "q0_low": "nie",
        "q0_high": "immer",
        "q1": "Wie sicher kommt Hilfe?",
        "q1_low": "gar nicht",
        "q1_high": "völlig",
        "q2": "",
        "q2_low": "",
        "q2_high": "",
    } | changes
    response = as_user(admin).post("/admin/surveys", data=data)
    assert response.status_code == 302, response.text
    return db.session.scalars(select(Survey).order_by(Survey.id.desc())).first()


def _close(survey, reopen=False):
    """Move the round's last day to yesterday (or back to two weeks from today)."""
    today = today_in_berlin()
    survey = db.session.get(Survey, survey.id)
    survey.opens_on = today - timedelta(days=20)
    survey.closes_on = today + timedelta(days=13) if reopen else today - timedelta(days=1)
    db.session.commit()


def _answer(browser, survey, first, second=None, **extra):
    q = [question.id for question in survey.questions]
    data = {f"q{q[0]}": first} | ({f"q{q[1]}": second} if second is not None else {}) | extra
    return browser.post(f"/surveys/{survey.id}", data=data, follow_redirects=True)


def _tallies(survey) -> dict[tuple[int, int], int]:
    rows = db.session.execute(
        select(SurveyTally.question_id, SurveyTally.value, SurveyTally.count).where(
            SurveyTally.count > 0
        )
    ).all()
    return {(q, v): n for q, v, n in rows}


def test_an_admin_opens_a_round_with_editable_wording(world, as_user):
    page = as_user(world.admin).get("/admin/surveys").text
    assert "Wie oft haben Sie in den letzten vier Wochen Tablets oder Notebooks" in page
    survey = _open(as_user, world.admin)
    assert [q.text for q in survey.questions] == [
        "Wie oft nutzen Sie Tablets?",
        "Wie sicher kommt Hilfe?",
    ]
    assert (survey.questions[0].low, survey.questions[0].high) == ("nie", "immer")
    for person in (world.manager, world.teacher, world.system_house):
        assert as_user(person).get("/admin/surveys").status_code == 403
    bad = as_user(world.admin).post(
        "/admin/surveys",
        data={"title": "X", "opens_on": "2026-12-10", "closes_on": "2026-12-01", "q0": "Frage"},
    )
    assert bad.status_code == 422 and "Der letzte Tag kann nicht vor dem ersten liegen" in bad.text
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1


def test_a_teacher_is_asked_once_and_only_counts_are_kept(world, as_user):
    survey = _open(as_user, world.admin)
    teacher = as_user(world.teacher)
    assert 'id="survey"' in teacher.get("/tickets/mine").text
    done = _answer(teacher, survey, "4", "5")
    assert "Danke!" in done.text and 'id="survey"' not in done.text
    q0, q1 = (q.id for q in survey.questions)
    assert _tallies(survey) == {(q0, 4): 1, (q1, 5): 1}
    again = _answer(teacher, survey, "1", "1")
    assert "schon teilgenommen" in again.text
    assert _tallies(survey) == {(q0, 4): 1, (q1, 5): 1}
    # A colleague skips: asked, nothing counted.
    colleague = as_user(world.other_teacher)
    skipped = colleague.post(f"/surveys/{survey.id}", data={"skip": "1"}, follow_redirects=True)
    assert 'id="survey"' not in skipped.text
    assert _tallies(survey) == {(q0, 4): 1, (q1, 5): 1}
    assert db.session.scalar(select(func.count()).select_from(SurveySeen)) == 2


def test_nothing_links_an_answer_to_a_person(app):
    columns = {
        t: {c["name"] for c in inspect(db.engine).get_columns(t)}
        for t in ("survey_tallies", "survey_seen")
    }
    assert columns["survey_tallies"] == {
        "id",
        "question_id",
        "campus_id",
        "school_id",
        "value",
        "count",
    }
    # Who was asked holds no answer, and no time that could be matched to one.
    assert columns["survey_seen"] == {"survey_id", "user_id"}


def test_odd_answers_count_nothing_and_others_may_not_answer(world, as_user):
    survey = _open(as_user, world.admin)
    teacher = as_user(world.teacher)
    odd = _answer(teacher, survey, "9", "abc")
    assert "Bitte tippen Sie je Frage eine Antwort an" in odd.text
    assert _tallies(survey) == {} and 'id="survey"' in odd.text
    manager = _answer(as_user(world.manager), survey, "3", "3")
    assert "nur Lehrkräfte" in manager.text
    assert _tallies(survey) == {}
    assert db.session.scalar(select(func.count()).select_from(SurveySeen)) == 0


def test_a_closed_round_is_neither_shown_nor_answered(world, as_user):
    today = today_in_berlin()
    survey = _open(
        as_user,
        world.admin,
        opens_on=(today - timedelta(days=20)).isoformat(),
        closes_on=(today - timedelta(days=1)).isoformat(),
    )
    teacher = as_user(world.teacher)
    assert 'id="survey"' not in teacher.get("/tickets/mine").text
    assert "beendet" in _answer(teacher, survey, "3", "3").text
    assert _tallies(survey) == {}


def test_results_show_only_from_five_answers(world, as_user, make_user):
    survey = _open(as_user, world.admin)
    school = world.teacher.school
    teachers = [world.teacher, world.other_teacher] + [
        make_user(Role.TEACHER, school=school, email=f"t{n}@example.org") for n in range(3)
    ]
    for person, value in zip(teachers[:4], ["4", "4", "5", "5"], strict=True):
        _answer(as_user(person), survey, value, "3")
    admin = as_user(world.admin)
    # While the round is open, no figure shows (each answer would move it).
    page = admin.get(f"/admin/surveys/{survey.id}").text
    assert 'id="survey-running"' in page and "weniger als 5" not in page
    _close(survey)
    page = admin.get(f"/admin/surveys/{survey.id}").text
    assert "weniger als 5 Antworten" in page and "4,5" not in page
    _close(survey, reopen=True)
    _answer(as_user(teachers[4]), survey, "2", "3")
    _close(survey)
    page = admin.get(f"/admin/surveys/{survey.id}").text
    first = page.split('id="question-1"')[1].split("</section>")[0]
    school_row = re.search(r"Helmholtz-Gymnasium</th>(.*?)</tr>", first, re.S).group(1)
    assert "4,0" in school_row  # (4 + 4 + 5 + 5 + 2) / 5
    shares = [
        c.replace("\xa0", " ") for c in re.findall(r'<td class="text-end">([^<]+)</td>', school_row)
    ]
    assert shares == ["0 %", "20 %", "0 %", "40 %", "40 %"]
    assert as_user(world.manager).get(f"/admin/surveys/{survey.id}").status_code == 403
    # The printable evaluation report carries the round, per campus.
    report = admin.get("/reports/evaluation").text
    part = report.split(f'id="survey-{survey.id}-h"')[1].split("</section>")[0]
    assert "Befragung der Lehrkräfte: Befragung Herbst" in report
    assert re.search(r"Campus Nord</th>\s*<td class=\"text-end fw-semibold\">4,0</td>", part)
    far = as_user(world.far_manager).get("/reports/evaluation").text
    assert "Campus Nord" not in far.split(f'id="survey-{survey.id}-h"')[1].split("</section>")[0]


def test_an_answer_and_a_skip_rewrite_the_same_counters(world, as_user, make_school, make_user):
    """Every counter of the round at her school is rewritten, for an answer and a skip
    alike: on PostgreSQL the transaction id on the rows (xmin) then shows only that
    someone of the school was asked, never which value she gave."""
    survey = _open(as_user, world.admin)
    late = make_school(world.teacher.school.campus, name="Neue Schule", short_name="NEU")
    newcomer = make_user(Role.TEACHER, school=late, email="neu@example.org")
    _answer(as_user(newcomer), survey, "2", "3")  # a school made after the round opened
    q0, q1 = (q.id for q in survey.questions)
    assert _tallies(survey) == {(q0, 2): 1, (q1, 3): 1}
    rows = db.session.scalar(
        select(func.count()).select_from(SurveyTally).where(SurveyTally.school_id == late.id)
    )
    assert rows == 2 * 5
    if db.session.get_bind().dialect.name != "postgresql":
        return

    def transactions(school_id) -> set[str]:
        return set(
            db.session.scalars(
                db.text("SELECT xmin::text FROM survey_tallies WHERE school_id = :s"),
                {"s": school_id},
            )
        )

    school = world.teacher.school_id
    db.session.commit()
    _answer(as_user(world.teacher), survey, "5", "1")
    answered = transactions(school)
    as_user(world.other_teacher).post(f"/surveys/{survey.id}", data={"skip": "1"})
    skipped = transactions(school)
    assert len(answered) == 1 and len(skipped) == 1 and answered != skipped
