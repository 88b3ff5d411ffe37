"""One-click feedback on a solution (issue 16): only the reporter, once, after a solution;
the reports count it per campus and school, a share only from 5 answers on."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, inspect, select

from campus.extensions import db
from campus.models import Feedback, Ticket
from campus.reports.period import today_in_berlin
from campus.tickets.feedback import give_feedback


def _feedback_rows(ticket_id=None) -> list[Feedback]:
    query = select(Feedback)
    if ticket_id is not None:
        query = query.where(Feedback.ticket_id == ticket_id)
    return list(db.session.scalars(query))


def test_the_reporter_rates_a_solution_once(world, as_user):
    ticket = world.ticket("closed")
    teacher = as_user(world.teacher)
    page = teacher.get(f"/tickets/{ticket.id}").text
    assert 'id="feedback"' in page and "Wie zufrieden sind Sie mit der Lösung?" in page
    response = teacher.post(
        f"/tickets/{ticket.id}/feedback",
        data={"rating": "up", "comment": "Schnell und freundlich."},
        follow_redirects=True,
    )
    assert "Danke für Ihre Rückmeldung!" in response.text
    assert 'id="feedback"' not in response.text
    (row,) = _feedback_rows(ticket.id)
    assert (row.rating, row.comment, row.level) == (1, "Schnell und freundlich.", 1)
    assert (row.campus_id, row.school_id) == (ticket.campus_id, ticket.school_id)
    # Once: a second answer is refused and changes nothing.
    again = teacher.post(
        f"/tickets/{ticket.id}/feedback", data={"rating": "down"}, follow_redirects=True
    )
    assert "schon bewertet" in again.text
    assert [r.rating for r in _feedback_rows(ticket.id)] == [1]


def test_the_answer_names_nobody(app):
    """The feedback table has no column that points at a person."""
    columns = {c["name"] for c in inspect(db.engine).get_columns("feedback")}
    assert columns == {
        "id",
        "ticket_id",
        "campus_id",
        "school_id",
        "level",
        "rating",
        "comment",
        "created_at",
    }


def test_only_the_reporter_and_only_after_a_solution(world, as_user):
    solved = world.ticket("resolved")
    open_ticket = world.ticket("in_progress")
    manager = as_user(world.manager)
    assert 'id="feedback"' not in manager.get(f"/tickets/{solved.id}").text
    refused = manager.post(
        f"/tickets/{solved.id}/feedback", data={"rating": "up"}, follow_redirects=True
    )
    assert "Nur die Lehrkraft, die das Problem gemeldet hat" in refused.text
    # A colleague at the same school cannot even see the ticket.
    colleague = as_user(world.other_teacher)
    assert (
        colleague.post(f"/tickets/{solved.id}/feedback", data={"rating": "up"}).status_code == 404
    )
    teacher = as_user(world.teacher)
    assert 'id="feedback"' not in teacher.get(f"/tickets/{open_ticket.id}").text
    early = teacher.post(
        f"/tickets/{open_ticket.id}/feedback", data={"rating": "down"}, follow_redirects=True
    )
    assert "noch keine Lösung" in early.text
    # No thumb chosen, or an odd one: nothing is saved.
    for data in ({"comment": "nur Text"}, {"rating": "maybe"}):
        teacher.post(f"/tickets/{solved.id}/feedback", data=data)
    assert _feedback_rows() == []


def test_a_long_comment_is_refused_not_cut(world, as_user):
    ticket = world.ticket("closed")
    teacher = as_user(world.teacher)
    teacher.post(f"/tickets/{ticket.id}/feedback", data={"rating": "up", "comment": "x" * 2001})
    assert _feedback_rows(ticket.id) == []


def _month(back: int) -> tuple[datetime, dict]:
    """Noon on the 10th of the month `back` months before this one (Berlin), and a report
    period of that whole month."""
    first = today_in_berlin().replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    noon = datetime(first.year, first.month, 10, 12, tzinfo=UTC)
    return noon, {"preset": "custom", "start": first.isoformat(), "end": last.isoformat()}


LAST_MONTH, LAST_MONTH_PERIOD = _month(1)


def _section(browser, period=None) -> str:
    page = browser.get("/reports/", query_string=period or LAST_MONTH_PERIOD).text
    return page.split('id="satisfaction"')[1].split("</section>")[0]


def test_reports_show_satisfaction_per_campus_and_school_from_five_answers(world, as_user):
    tickets = [world.ticket("closed") for _ in range(5)]
    for n, ticket in enumerate(tickets[:4]):
        give_feedback(world.teacher, ticket, up=n != 0, now=LAST_MONTH)
    db.session.commit()
    manager = as_user(world.manager)
    page = manager.get("/reports/", query_string=LAST_MONTH_PERIOD).text
    section = page.split('id="satisfaction"')[1].split("</section>")[0]
    # Four answers: no list at all (a campus or school figure would show single ratings).
    assert "Zu wenige Antworten in diesem Zeitraum" in section
    assert "Helmholtz-Gymnasium" not in section
    give_feedback(world.teacher, db.session.get(Ticket, tickets[4].id), up=True, now=LAST_MONTH)
    db.session.commit()
    section = _section(manager)
    school = re.search(r"Helmholtz-Gymnasium</th>(.*?)</tr>", section, re.S).group(1)
    cells = re.findall(r'<td class="text-end">([^<]+)</td>', school)
    assert [cell.replace("\xa0", " ") for cell in cells] == ["5", "4", "1", "80 %"]
    # The evaluation report has them too; another campus's manager sees none of them.
    evaluation = manager.get("/reports/evaluation", query_string=LAST_MONTH_PERIOD).text
    assert "Helmholtz-Gymnasium</th>" in evaluation.split('id="satisfaction"')[1]
    assert "Helmholtz-Gymnasium" not in _section(as_user(world.far_manager))
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 5


def test_a_school_month_with_one_rating_is_left_out(world, as_user, make_school, make_user):
    """Campus minus the schools shown would give a lone rating away: a school's month with
    fewer than five answers is not counted, for the school nor for its campus."""
    from campus.models import Role

    campus = world.teacher.school.campus
    small = make_school(campus, name="Kleine Schule", short_name="KS")
    lone = make_user(Role.TEACHER, school=small, email="einzeln@example.org")
    for _ in range(5):
        give_feedback(world.teacher, world.ticket("closed"), up=True, now=LAST_MONTH)
    from campus.tickets import services
    from campus.tickets.filing import report_ticket

    theirs = report_ticket(
        lone,
        title="Drucker",
        description="Stau",
        category="printer",
        impact="minor",
        room="",
        device_id=None,
    )
    services.resolve(world.manager, theirs, "Papier entfernt.")
    services.confirm(lone, theirs)
    give_feedback(lone, theirs, up=False, now=LAST_MONTH)
    db.session.commit()
    section = _section(as_user(world.manager))
    campus = re.search(r"Campus Nord</th>(.*?)</tr>", section, re.S).group(1)
    assert re.findall(r'<td class="text-end">([^<]+)</td>', campus)[0] == "5"  # not 6
    assert "Kleine Schule" not in section and "Helmholtz-Gymnasium</th>" in section
    assert "1 Antwort wurde nicht gezählt" in section


def test_a_solution_is_rated_only_once_it_is_closed(world, as_user):
    """Resolved but not confirmed, or reopened since: nothing to rate yet."""
    resolved = world.ticket("resolved")
    teacher = as_user(world.teacher)
    early = teacher.post(
        f"/tickets/{resolved.id}/feedback", data={"rating": "up"}, follow_redirects=True
    )
    assert "noch keine Lösung" in early.text
    assert _feedback_rows() == []


def test_satisfaction_counts_finished_whole_months_only(world, as_user):
    """This month's ratings wait for its end (looking again tomorrow would show the one
    new rating); a period of a few days counts its whole months."""
    for _ in range(5):
        give_feedback(world.teacher, world.ticket("closed"), up=True)
    db.session.commit()
    manager = as_user(world.manager)
    today = today_in_berlin()
    this_month = {"preset": "custom", "start": today.replace(day=1).isoformat()}
    this_month["end"] = today.isoformat()
    assert "nur für abgeschlossene Monate" in _section(manager, this_month)
    five, period = _month(1)
    for ticket in db.session.scalars(select(Feedback)):
        ticket.created_at = five
    db.session.commit()
    a_few_days = dict(period, start=period["end"][:8] + "28")  # the month's last days
    assert "Helmholtz-Gymnasium</th>" in _section(manager, a_few_days)
    assert 'id="satisfaction-months"' in _section(manager, a_few_days)


def test_a_month_with_fewer_than_five_is_left_out_of_longer_periods(world, as_user):
    """Five answers last month and one the month before: counting both months would give
    that one away as the difference to last month alone."""
    earlier, _period = _month(2)
    for _ in range(5):
        give_feedback(world.teacher, world.ticket("closed"), up=True, now=LAST_MONTH)
    give_feedback(world.teacher, world.ticket("closed"), up=False, now=earlier)
    db.session.commit()
    manager = as_user(world.manager)
    assert "Helmholtz-Gymnasium</th>" in _section(manager)
    both = dict(LAST_MONTH_PERIOD, start=_month(2)[1]["start"])
    assert _section(manager, both).split("<p")[2:] == _section(manager).split("<p")[2:]
    assert "1 Antwort wurde nicht gezählt" in _section(manager, both)
    only_earlier = dict(LAST_MONTH_PERIOD, start=_month(2)[1]["start"], end=_month(2)[1]["end"])
    assert "Zu wenige Antworten" in _section(manager, only_earlier)


def test_the_comment_reaches_the_support_side_without_the_rating(world, as_user):
    ticket = world.ticket("closed")
    teacher = as_user(world.teacher)
    page = teacher.get(f"/tickets/{ticket.id}").text
    assert "ohne Ihre Bewertung" in page and "Verwaltung" in page
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    teacher.post(
        f"/tickets/{ticket.id}/feedback",
        data={"csrf_token": csrf, "rating": "down", "comment": "Hat drei Tage gedauert."},
    )
    assert len(_feedback_rows(ticket.id)) == 1
    manager_page = as_user(world.manager).get(f"/tickets/{ticket.id}").text
    box = manager_page.split('id="feedback-comment"')[1].split("</section>")[0]
    assert "Hat drei Tage gedauert." in box
    assert "Nicht gut" not in box and "Gut" not in box  # the rating stays in the figures
    other = as_user(world.other_teacher).get(f"/tickets/{ticket.id}")
    assert "Hat drei Tage gedauert." not in other.text
    assert 'id="feedback-comment"' not in teacher.get(f"/tickets/{ticket.id}").text
