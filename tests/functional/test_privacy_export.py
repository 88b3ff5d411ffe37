"""A person's data (issue 17, GDPR Art. 15 and 20): everyone downloads their own as JSON
and PDF, an administrator anyone's; it holds all of the person's data and nothing of
anybody else's (no colleague's ticket, name or address, no internal note of others), and
every download is in the audit trail."""

import json
from datetime import date, time

import pypdfium2
import pytest
from sqlalchemy import select

from campus.auth.tokens import create_token
from campus.extensions import db
from campus.models import (
    Absence,
    ApiToken,
    AuditEntry,
    Category,
    Impact,
    InboundMail,
    Mail,
    Survey,
    SurveySeen,
    Visit,
)
from campus.tickets import services
from campus.tickets.feedback import give_feedback
from campus.tickets.filing import report_ticket
from campus.tickets.photos import Upload
from tests.tickets_helpers import ANALYSIS, png_bytes

TITLE = "Drucker im Lehrerzimmer druckt nur Müll"
SECRET_NOTE = "Interne Notiz: Lehrerin ruft täglich an"
COLLEAGUE_TITLE = "Whiteboard in Raum C 12 flackert"
ANSWER_TO_COLLEAGUE = "Ich komme am Dienstag vorbei."


def _file(world, who, title, description="Seit gestern.", photos=None):
    return report_ticket(
        who,
        title=title,
        description=description,
        category=Category.PRINTER,
        impact=Impact.IMPAIRED,
        room="Lehrerzimmer",
        photos=photos,
        upload_folder=world.upload_folder,
    )


@pytest.fixture
def story(app, world):
    """A teacher with a solved ticket (a reply, an internal note, a photo, her feedback), a
    token and a survey round; her colleague's ticket, answered by the manager; an
    escalated ticket with the manager's fault analysis; the manager's week."""
    world.upload_folder = app.config["UPLOAD_FOLDER"]
    world.teacher.display_name = "Jördis Weiß"
    world.other_teacher.display_name = "Bärbel Nachbar"
    world.manager.display_name = "Manfred Öztürk"
    world.colleague.display_name = "Konrad Kollege"
    db.session.commit()
    mine = _file(
        world,
        world.teacher,
        TITLE,
        "Seit der Wartung nur Streifen.",
        photos=[Upload("drucker-streifen.png", png_bytes())],
    )
    services.claim(world.manager, mine)
    services.reply(world.manager, mine, "Toner ist bestellt.")
    services.note(world.manager, mine, SECRET_NOTE)
    services.assign(world.manager, mine, world.colleague)
    services.resolve(world.colleague, mine, "Toner getauscht.")
    services.confirm(world.teacher, mine)
    give_feedback(world.teacher, mine, up=True, comment="Schnell und freundlich, danke!")
    escalated = world.ticket("escalated", title="Beamer in der Aula ohne Bild")
    theirs = _file(world, world.other_teacher, COLLEAGUE_TITLE, "Bärbels Beschreibung.")
    services.claim(world.manager, theirs)
    services.reply(world.manager, theirs, ANSWER_TO_COLLEAGUE)
    create_token(world.teacher, world.teacher, "Stundenplan-Skript")
    survey = Survey(
        title="Zufriedenheit Frühjahr", opens_on=date(2026, 3, 1), closes_on=date(2026, 3, 31)
    )
    db.session.add(survey)
    db.session.flush()
    db.session.add(SurveySeen(survey_id=survey.id, user_id=world.teacher.id))
    for n, (reader, subject) in enumerate(
        [
            (world.teacher, f"Gelöst: {TITLE}"),
            (world.other_teacher, f"Rückfrage: {COLLEAGUE_TITLE}"),
        ]
    ):
        db.session.add(
            Mail(
                kind="resolved",
                user_id=reader.id,
                to_address=reader.email,
                subject=subject,
                text=f"Hallo {reader.display_name}, ...",
                message_id=f"<{n}@campus.example>",
            )
        )
    db.session.add(
        InboundMail(
            message_key="k" * 64,
            sender=world.teacher.email,
            ticket_id=mine.id,
            user_id=world.teacher.id,
            outcome="refused",
        )
    )
    db.session.add(
        Visit(
            manager_id=world.manager.id,
            school_id=world.teacher.school_id,
            weekday=1,
            starts=time(8, 0),
            ends=time(12, 30),
        )
    )
    db.session.add(
        Absence(
            manager_id=world.manager.id,
            first_day=date(2026, 4, 13),
            last_day=date(2026, 4, 17),
            reason="illness",
            substitute_id=world.colleague.id,
            note="Kur",
        )
    )
    db.session.commit()
    world.mine, world.theirs, world.escalated = mine, theirs, escalated
    return world


def _own_json(browser) -> tuple[dict, str]:
    response = browser.get("/profile/data.json")
    assert response.status_code == 200, response.text
    return response.get_json(), response.get_data(as_text=True)


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_a_teacher_downloads_all_of_her_data_and_nothing_of_others(story, as_user):
    teacher = as_user(story.teacher)
    response = teacher.get("/profile/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    data, text = response.get_json(), response.get_data(as_text=True)

    profile = data["profile"]
    assert (profile["name"], profile["email"], profile["role"]) == (
        "Jördis Weiß",
        "lehrerin@example.org",
        "teacher",
    )
    assert profile["school"] == "Helmholtz-Gymnasium" and profile["campuses"] == ["Campus Nord"]
    assert profile["active"] is True and profile["created_at"].endswith("+00:00")

    tickets = {t["number"]: t for t in data["tickets"]}
    assert set(tickets) == {story.mine.number, story.escalated.number}
    mine = tickets[story.mine.number]
    assert (mine["title"], mine["status"], mine["room"]) == (TITLE, "closed", "Lehrerzimmer")
    history = [(e["kind"], e["by"], e["text"]) for e in mine["events"]]
    assert ("replied", "campus_manager", "Toner ist bestellt.") in history
    assert ("resolved", "campus_manager", "Toner getauscht.") in history
    assert ("confirmed", "self", "") in history
    assert ("assigned", "campus_manager", "") in history  # its text is a colleague's name
    assert not any(e["internal"] for e in mine["events"])
    assert [p["file_name"] for p in data["photos"]] == ["drucker-streifen.png"]
    assert data["photos"][0]["size"] > 0

    [token] = data["api_tokens"]
    stored = db.session.scalars(select(ApiToken)).one()
    assert (token["name"], token["prefix"]) == ("Stundenplan-Skript", stored.prefix)
    assert "hash" not in json.dumps(token) and stored.token_hash not in text
    assert data["login_sessions"] and data["login_sessions"][-1]["ended_at"] is None
    assert [(f["ticket"], f["rating"], f["comment"]) for f in data["feedback"]] == [
        (story.mine.number, "up", "Schnell und freundlich, danke!")
    ]
    assert data["surveys"] == [{"title": "Zufriedenheit Frühjahr"}]
    assert [(m["subject"], m["status"]) for m in data["mails_to_you"]] == [
        (f"Gelöst: {TITLE}", "pending")
    ]
    assert "Hallo" not in text  # not the mail's body
    assert data["mails_from_you"][0]["ticket"] == story.mine.number
    assert any(e["action"] == "login" and e["by_you"] for e in data["audit_trail"])
    assert data["timetable"]["visits"] == [] and data["entries_on_other_tickets"] == []

    # Nothing of anybody else: not the colleague's ticket, nor anyone's name or address,
    # nor the manager's internal note or fault analysis.
    for foreign in (
        COLLEAGUE_TITLE,
        "Bärbel",
        "kollegin@example.org",
        "Manfred Öztürk",
        "manager@example.org",
        "Konrad Kollege",
        "kollege@example.org",
        SECRET_NOTE,
        ANALYSIS["device_data"],
        "password",
    ):
        assert foreign not in text, foreign


def test_a_manager_gets_his_entries_on_others_tickets_without_the_teachers(story, as_user):
    data, text = _own_json(as_user(story.manager))
    assert data["tickets"] == [] and data["photos"] == []
    entries = [(e["ticket"], e["kind"], e["text"]) for e in data["entries_on_other_tickets"]]
    assert (story.theirs.number, "replied", ANSWER_TO_COLLEAGUE) in entries
    assert (story.mine.number, "noted", SECRET_NOTE) in entries  # his own note
    assert (story.mine.number, "assigned", "") in entries  # not the colleague's name
    [analysis] = data["fault_analyses"]
    assert (analysis["ticket"], analysis["symptoms"]) == (
        story.escalated.number,
        ANALYSIS["symptoms"],
    )
    assert story.theirs.number in {t["ticket"] for t in data["tickets_assigned"]}
    assert data["timetable"]["visits"] == [
        {"weekday": 1, "starts": "08:00", "ends": "12:30", "school": "Helmholtz-Gymnasium"}
    ]
    [absence] = data["timetable"]["absences"]
    assert (absence["reason"], absence["substitute"]) == ("illness", True)
    for foreign in (
        "Jördis",
        "lehrerin@example.org",
        "Bärbel",
        "kollegin@example.org",
        "Konrad Kollege",
        "Bärbels Beschreibung.",
    ):
        assert foreign not in text, foreign


def test_the_managers_pdf_has_his_entries_and_his_week_without_the_teachers(story, as_user):
    text = _pdf_text(as_user(story.manager).get("/profile/data.pdf").data)
    assert "Manfred Öztürk" in text and ANSWER_TO_COLLEAGUE in text
    assert ANALYSIS["symptoms"] in text and "08:00–12:30" in text
    assert "Jördis" not in text and "Bärbel" not in text and COLLEAGUE_TITLE not in text


def test_the_substitute_sees_the_days_but_not_why(story, as_user):
    data, text = _own_json(as_user(story.colleague))
    assert data["timetable"]["substituting"] == [
        {"first_day": "2026-04-13", "last_day": "2026-04-17"}
    ]
    assert "illness" not in text and "Kur" not in text and "Manfred" not in text


def test_the_pdf_reads_in_german_with_her_name_and_tickets(story, as_user):
    response = as_user(story.teacher).get("/profile/data.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith('.pdf"')
    assert response.headers["Cache-Control"] == "no-store"
    text = _pdf_text(response.data)
    assert "Ihre Daten in Campus" in text
    assert "Jördis Weiß" in text and "lehrerin@example.org" in text
    assert TITLE in text and "Toner getauscht." in text and "Stundenplan-Skript" in text
    assert SECRET_NOTE not in text and COLLEAGUE_TITLE not in text
    assert "Manfred" not in text and "Konrad" not in text


def test_letters_the_pdf_fonts_lack_are_written_plainly(story, as_user):
    story.teacher.display_name = "Łukasz Yılmaz-Şahin 🙂"
    db.session.commit()
    text = _pdf_text(as_user(story.teacher).get("/profile/data.pdf").data)
    assert "Lukasz Yilmaz-Sahin ?" in text


def test_long_texts_and_long_words_break_across_lines_and_pages(story, as_user):
    long_word = "https://intranet.example.org/" + "a" * 400
    story.mine.description = ("Der Drucker zieht schief ein. " * 600) + long_word
    db.session.commit()
    response = as_user(story.teacher).get("/profile/data.pdf")
    assert response.status_code == 200
    document = pypdfium2.PdfDocument(response.data)
    try:
        assert len(document) >= 5
    finally:
        document.close()
    text = _pdf_text(response.data)
    assert "https://intranet.example.org/aaaa" in text and "Der Drucker zieht schief ein." in text


def test_an_admin_exports_anyone_and_it_is_recorded(story, as_user):
    admin = as_user(story.admin)
    response = admin.get(f"/admin/users/{story.teacher.id}/data.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["profile"]["email"] == "lehrerin@example.org"
    assert SECRET_NOTE not in response.get_data(as_text=True)  # her data, not the admin's view
    pdf = admin.get(f"/admin/users/{story.teacher.id}/data.pdf")
    assert pdf.status_code == 200 and "Jördis Weiß" in _pdf_text(pdf.data)
    assert admin.get("/admin/users/999999/data.json").status_code == 404
    assert admin.get("/admin/users/999999/data.pdf").status_code == 404

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "data_exported").order_by(AuditEntry.id)
    ).all()
    assert [(e.actor_id, e.subject, e.detail) for e in entries] == [
        (story.admin.id, f"#{story.teacher.id}", "JSON"),
        (story.admin.id, f"#{story.teacher.id}", "PDF"),
    ]
    # She sees that her data was produced, not who did it from where.
    data, _text = _own_json(as_user(story.teacher))
    produced = [e for e in data["audit_trail"] if e["action"] == "data_exported"]
    assert produced[:2] == [
        {
            "action": "data_exported",
            "at": entries[0].at.isoformat(),
            "by_you": False,
            "address": None,
        },
        {
            "action": "data_exported",
            "at": entries[1].at.isoformat(),
            "by_you": False,
            "address": None,
        },
    ]


def test_ones_own_export_is_recorded_too(story, as_user):
    as_user(story.teacher).get("/profile/data.pdf")
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "data_exported"))
    assert (entry.actor_id, entry.subject, entry.detail) == (
        story.teacher.id,
        f"#{story.teacher.id}",
        "PDF",
    )
    assert "Jördis" not in entry.subject + entry.detail


@pytest.mark.parametrize("role", ["manager", "teacher", "system_house"])
def test_nobody_else_exports_another_person(story, as_user, role):
    browser = as_user(getattr(story, role))
    for path in ("data.json", "data.pdf"):
        assert browser.get(f"/admin/users/{story.other_teacher.id}/{path}").status_code == 403
        assert browser.get(f"/admin/users/999999/{path}").status_code == 403
    # Not even oneself through the administrators' address.
    own = getattr(story, role).id
    assert browser.get(f"/admin/users/{own}/data.json").status_code == 403
    assert (
        db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "data_exported")) is None
    )


def test_anonymous_visitors_are_sent_to_log_in(story, client):
    for path in (
        "/profile/data.json",
        "/profile/data.pdf",
        f"/admin/users/{story.teacher.id}/data.json",
        f"/admin/users/{story.teacher.id}/data.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_profile_pages_and_the_admins_user_page_link_the_downloads(story, as_user):
    teacher = as_user(story.teacher)
    for page in ("/auth/password", "/auth/notifications", "/auth/tokens"):
        html = teacher.get(page).text
        assert 'href="/profile/data.pdf"' in html and 'href="/profile/data.json"' in html, page
    html = as_user(story.admin).get(f"/admin/users/{story.teacher.id}/edit").text
    assert f'href="/admin/users/{story.teacher.id}/data.pdf"' in html
    assert f'href="/admin/users/{story.teacher.id}/data.json"' in html


def test_ones_own_downloads_are_limited(story, as_user):
    teacher = as_user(story.teacher)
    answers = [teacher.get("/profile/data.json").status_code for _ in range(20)]
    assert answers == [200] * 20
    assert teacher.get("/profile/data.pdf").status_code == 429
    # Another person's budget is their own; an administrator's are not limited.
    assert as_user(story.other_teacher).get("/profile/data.json").status_code == 200
    assert as_user(story.admin).get(f"/admin/users/{story.teacher.id}/data.json").status_code == 200
