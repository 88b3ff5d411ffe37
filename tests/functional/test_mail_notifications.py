"""Notifications by e-mail, the whole path: an action through HTTP -> the outbox in the
action's transaction -> the job -> a real SMTP server (aiosmtpd) -> the message parsed
back: recipient, subject, link, and no internal text."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from campus.extensions import db
from campus.mail.digest import send_digests
from campus.mail.sending import send_due
from campus.models import Mail, MailStatus, Ticket, TicketStatus, utcnow
from tests.mailserver import MailServer, html_of, links_in, text_of
from tests.tickets_helpers import ANALYSIS

BASE = "https://campus.stadt.example"


@pytest.fixture
def mailserver(app):
    server = MailServer()
    server.start()
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_FROM="Campus <campus@stadt.example>",
        BASE_URL=BASE,
        MAIL_REPLY_ADDRESS="antwort@campus.stadt.example",
    )
    yield server
    server.stop()


def file_ticket(browser, impact="blocking", title="Beamer zeigt kein Bild") -> Ticket:
    response = browser.post(
        "/tickets/new",
        data={
            "category": "projector_display",
            "impact": impact,
            "room": "A 101",
            "title": title,
            "description": "Kein Signal über HDMI.",
        },
    )
    assert response.status_code == 302, response.text
    return db.session.scalar(select(Ticket).order_by(Ticket.id.desc()))


def act(browser, ticket, action, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    response = browser.post(f"/tickets/{ticket.id}/{action}", data=data)
    assert response.status_code == 302, response.text
    return response


def test_a_blocking_report_reaches_the_campus_managers_at_once(world, as_user, mailserver):
    ticket = file_ticket(as_user(world.teacher))
    inbox = mailserver.inbox
    for manager in (world.manager, world.colleague):
        message = inbox.one_to(manager.email)
        assert "Beamer zeigt kein Bild" in message["Subject"]
        assert f"[Campus #{ticket.number} " in message["Subject"]
        assert f"{BASE}/tickets/{ticket.id}" in links_in(message)
        assert "Kein Signal über HDMI." in text_of(message)  # the teacher's own words
        assert "Helmholtz-Gymnasium" in text_of(message)
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Reply-To"].startswith("antwort+")
        assert f"<ticket-{ticket.id}@stadt.example>" == message["In-Reply-To"]
        assert "Kein Signal" in html_of(message)
    assert inbox.to(world.teacher.email) == []  # nobody hears of their own action
    assert inbox.to(world.far_manager.email) == []  # another campus
    assert inbox.to(world.system_house.email) == []  # not escalated


def test_other_reports_wait_for_the_managers_digest(app, world, as_user, mailserver):
    ticket = file_ticket(as_user(world.teacher), impact="minor", title="Drucker druckt blass")
    second = file_ticket(as_user(world.teacher), impact="impaired", title="WLAN langsam")
    assert mailserver.inbox.messages == []
    held = db.session.scalars(select(Mail).where(Mail.status == MailStatus.HELD)).all()
    assert {(m.to_address, m.ticket_id) for m in held} == {
        (world.manager.email, ticket.id),
        (world.colleague.email, ticket.id),
        (world.manager.email, second.id),
        (world.colleague.email, second.id),
    }
    later = utcnow() + timedelta(days=1, hours=1)  # every reader's 07:00 or 13:00 has come
    assert send_digests(later) == 2
    assert send_digests(later) == 0  # bundled once
    send_due(later)
    digest = mailserver.inbox.one_to(world.manager.email)
    body = text_of(digest)
    assert "Drucker druckt blass" in body and "WLAN langsam" in body
    assert f"{BASE}/tickets/{ticket.id}" in body and f"{BASE}/tickets/{second.id}" in body
    assert digest["X-Campus-Kind"] == "digest"


def test_the_teacher_hears_of_a_question_and_a_reply_never_of_a_note(world, as_user, mailserver):
    ticket = file_ticket(as_user(world.teacher))
    manager = as_user(world.manager)
    act(manager, ticket, "claim")
    act(manager, ticket, "note", text="GEHEIM: Lampe schon dreimal getauscht")
    act(manager, ticket, "wait", text="Leuchtet die Lampe am Beamer?")
    question = mailserver.inbox.one_to(world.teacher.email)
    assert question["Subject"].startswith("Rückfrage zu Ihrer Meldung: Beamer zeigt kein Bild")
    assert "Leuchtet die Lampe am Beamer?" in text_of(question)
    act(as_user(world.teacher), ticket, "reply", text="Ja, sie leuchtet grün.")
    act(manager, ticket, "reply", text="Ich komme in der 3. Stunde vorbei.")
    teacher_mails = mailserver.inbox.to(world.teacher.email)
    assert len(teacher_mails) == 2
    for message in teacher_mails:
        assert "GEHEIM" not in message.as_string()
    assert "Ich komme in der 3. Stunde vorbei." in text_of(teacher_mails[1])
    # The teacher's answer goes to the manager who holds the ticket, not to the colleague.
    to_manager = [m for m in mailserver.inbox.to(world.manager.email) if "grün" in text_of(m)]
    assert len(to_manager) == 1
    assert not [m for m in mailserver.inbox.to(world.colleague.email) if "grün" in text_of(m)]


def test_solved_link_closes_the_ticket_without_logging_in_and_only_once(
    app, world, as_user, mailserver
):
    ticket = file_ticket(as_user(world.teacher))
    act(as_user(world.manager), ticket, "resolve", text="HDMI-Kabel getauscht.")
    message = mailserver.inbox.one_to(world.teacher.email)
    assert "HDMI-Kabel getauscht." in text_of(message)
    solved = next(link for link in links_in(message) if "/solved" in link)
    path = solved.removeprefix(BASE)
    anonymous = app.test_client()
    page = anonymous.get(path)  # opening the link changes nothing (mail scanners open it)
    assert page.status_code == 200
    db.session.refresh(ticket)
    assert ticket.status == TicketStatus.RESOLVED
    done = anonymous.post(path)
    assert done.status_code == 200
    db.session.refresh(ticket)
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.events[-1].actor_id == world.teacher.id
    assert anonymous.get(path).status_code == 410  # spent
    assert anonymous.post(path).status_code == 410
    tampered = path.replace("/solved", "x/solved")
    assert anonymous.get(tampered).status_code in (404, 410)


def test_not_solved_link_reopens_with_the_teachers_words(app, world, as_user, mailserver):
    ticket = file_ticket(as_user(world.teacher))
    act(as_user(world.manager), ticket, "resolve", text="Neu gestartet.")
    message = mailserver.inbox.one_to(world.teacher.email)
    path = next(link for link in links_in(message) if "/not-solved" in link).removeprefix(BASE)
    anonymous = app.test_client()
    empty = anonymous.post(path, data={"text": ""})
    assert empty.status_code == 422  # the reason is asked for, nothing changes
    db.session.refresh(ticket)
    assert ticket.status == TicketStatus.RESOLVED
    assert anonymous.post(path, data={"text": "Geht wieder nicht."}).status_code == 200
    db.session.refresh(ticket)
    assert ticket.status in (TicketStatus.IN_PROGRESS, TicketStatus.NEW)
    assert ticket.events[-1].text == "Geht wieder nicht."
    reopened = [m for m in mailserver.inbox.to(world.manager.email) if "Geht wieder" in text_of(m)]
    assert len(reopened) == 1
    assert anonymous.post(path, data={"text": "Nochmal"}).status_code == 410


def test_escalation_and_return_tell_each_side_without_internal_text(world, as_user, mailserver):
    ticket = file_ticket(as_user(world.teacher))
    manager = as_user(world.manager)
    act(manager, ticket, "claim")
    act(manager, ticket, "escalate", **ANALYSIS)
    for staff in (world.system_house, world.system_house2):
        message = mailserver.inbox.one_to(staff.email)
        assert "Beamer zeigt kein Bild" in message["Subject"]
        assert ANALYSIS["steps_tried"] not in message.as_string()  # on the ticket page only
    system_house = as_user(world.system_house)
    act(system_house, ticket, "claim")
    act(system_house, ticket, "return", text="INTERN: Netzteil defekt, bitte tauschen.")
    back = mailserver.inbox.one_to(world.teacher.email)
    assert "INTERN" not in back.as_string()
    to_manager = [m for m in mailserver.inbox.to(world.manager.email)]
    assert any(m["X-Campus-Kind"] == "l2_result" for m in to_manager)
    assert all("INTERN" not in m.as_string() for m in to_manager)


def test_a_reader_can_switch_a_kind_off_or_to_the_digest(world, as_user, mailserver):
    teacher = as_user(world.teacher)
    page = teacher.get("/auth/notifications")
    assert page.status_code == 200
    saved = teacher.post(
        "/auth/notifications",
        data={
            "asked": "now",
            "replied": "off",
            "resolved": "now",
            "returned": "digest",
            "cancelled": "now",
            "digest_times": "06:30, 15:00",
        },
    )
    assert saved.status_code == 302
    db.session.refresh(world.teacher)
    assert world.teacher.digest_times == "06:30,15:00"
    ticket = file_ticket(teacher)
    act(as_user(world.manager), ticket, "reply", text="Schaue ich mir an.")
    assert mailserver.inbox.to(world.teacher.email) == []
    bad = teacher.post("/auth/notifications", data={"asked": "digest", "digest_times": "25:00"})
    assert bad.status_code == 422
    db.session.refresh(world.teacher)
    assert world.teacher.digest_times == "06:30,15:00"  # nothing saved


def test_mail_server_down_loses_nothing_and_delivers_once(app, world, as_user, mailserver):
    mailserver.stop()
    ticket = file_ticket(as_user(world.teacher))
    db.session.refresh(ticket)
    assert ticket.status == TicketStatus.NEW  # the report is saved all the same
    pending = db.session.scalars(select(Mail).where(Mail.ticket_id == ticket.id)).all()
    assert len(pending) == 2
    assert all(m.status == MailStatus.PENDING and m.attempts == 1 for m in pending)
    assert all("mail server" in m.last_error for m in pending)
    assert send_due(utcnow()) == (0, 0)  # backoff: not due yet
    mailserver.start()
    assert send_due(utcnow() + timedelta(minutes=2)) == (2, 0)
    assert send_due(utcnow() + timedelta(hours=1)) == (0, 0)
    assert len(mailserver.inbox.to(world.manager.email)) == 1
    ids = [m["Message-ID"] for m in mailserver.inbox.messages]
    assert len(ids) == len(set(ids)) == 2
    for mail in pending:
        db.session.refresh(mail)
        assert mail.status == MailStatus.SENT and mail.sent_at is not None


def test_admin_sees_the_outbox_and_sends_a_failed_mail_again(app, world, as_user, mailserver):
    mailserver.stop()
    ticket = file_ticket(as_user(world.teacher))
    mail = db.session.scalar(select(Mail).where(Mail.ticket_id == ticket.id).limit(1))
    mail.status, mail.next_attempt_at = MailStatus.FAILED, None
    db.session.commit()
    admin = as_user(world.admin)
    page = admin.get("/admin/mails?status=failed")
    assert page.status_code == 200 and mail.to_address in page.text
    assert as_user(world.manager).get("/admin/mails").status_code == 403
    mailserver.start()
    assert admin.post(f"/admin/mails/{mail.id}/retry").status_code == 302
    db.session.refresh(mail)
    assert mail.status == MailStatus.SENT
    assert len(mailserver.inbox.to(mail.to_address)) == 1


def test_inactive_readers_get_nothing(world, as_user, mailserver):
    world.colleague.active = False
    db.session.commit()
    file_ticket(as_user(world.teacher))
    assert mailserver.inbox.to(world.colleague.email) == []
    assert len(mailserver.inbox.to(world.manager.email)) == 1


def test_english_readers_read_english(world, as_user, mailserver):
    world.manager.locale = "en"
    db.session.commit()
    file_ticket(as_user(world.teacher))
    english = mailserver.inbox.one_to(world.manager.email)
    german = mailserver.inbox.one_to(world.colleague.email)
    assert text_of(english).startswith("Hello ")
    assert text_of(german).startswith("Hallo ")
    assert english["Subject"] != german["Subject"]


def test_no_mail_at_all_when_mail_is_off(app, world, as_user):
    app.config["MAIL_BACKEND"] = "off"
    file_ticket(as_user(world.teacher))
    assert db.session.scalar(select(Mail.id).limit(1)) is None


def test_roles_see_only_their_kinds_of_notice(world, as_user):
    teacher = as_user(world.teacher).get("/auth/notifications").text
    manager = as_user(world.manager).get("/auth/notifications").text
    assert 'name="asked"' in teacher and 'name="new_ticket"' not in teacher
    assert 'name="new_ticket"' in manager and 'name="asked"' not in manager
    staff = as_user(world.system_house).get("/auth/notifications").text
    assert 'name="escalated"' in staff and 'name="new_ticket"' not in staff


def test_after_yes_solved_from_the_mail_she_rates_the_solution_once(
    app, world, as_user, mailserver
):
    import re

    from campus.models import Feedback

    ticket = file_ticket(as_user(world.teacher))
    act(as_user(world.manager), ticket, "resolve", text="HDMI-Kabel getauscht.")
    message = mailserver.inbox.one_to(world.teacher.email)
    solved = next(link for link in links_in(message) if "/solved" in link).removeprefix(BASE)
    anonymous = app.test_client()
    done = anonymous.post(solved)
    rate = re.search(r'action="(/rate/[^"]+)"', done.text)
    assert rate, "the thank-you page asks how the solution worked"
    assert anonymous.get(rate.group(1)).status_code == 200  # opening it changes nothing
    assert db.session.scalars(select(Feedback)).all() == []
    rated = anonymous.post(rate.group(1), data={"rating": "down", "comment": "Ton fehlt noch."})
    assert rated.status_code == 200 and 'id="feedback-done"' in rated.text
    (row,) = db.session.scalars(select(Feedback)).all()
    assert (row.ticket_id, row.rating, row.comment) == (ticket.id, -1, "Ton fehlt noch.")
    again = anonymous.post(rate.group(1), data={"rating": "up"})
    assert 'id="feedback-done"' in again.text
    assert [f.rating for f in db.session.scalars(select(Feedback))] == [-1]
    forged = rate.group(1)[:-3] + ("abc" if not rate.group(1).endswith("abc") else "xyz")
    assert anonymous.get(forged).status_code == 404


def test_the_supervisor_and_the_intern_hear_of_each_others_steps(world, as_user, mailserver):
    from tests.functional.test_interns import approve_as_shown, make_intern

    pia = make_intern(world)
    ticket = file_ticket(as_user(world.teacher))
    manager, intern, teacher = as_user(world.manager), as_user(pia), as_user(world.teacher)
    act(manager, ticket, "hand_over")
    act(intern, ticket, "take")
    act(intern, ticket, "note", text="NOTIZ: Kabel wackelt")
    act(intern, ticket, "reply", text="Ich komme in der Pause vorbei.")
    act(teacher, ticket, "reply", text="Danke, Raum A 101.")
    inbox = mailserver.inbox
    assert "Danke, Raum A 101." in text_of(inbox.one_to(pia.email))  # the teacher's reply
    act(intern, ticket, "propose", text="HDMI-Kabel getauscht.")
    proposed = [m for m in inbox.to(world.manager.email) if "Vorschlag" in m["Subject"]]
    assert len(proposed) == 1
    assert proposed[0]["Subject"].startswith("Vorschlag zur Freigabe: Beamer zeigt kein Bild")
    assert "HDMI-Kabel getauscht." in text_of(proposed[0])
    # Answering it is no reply to the teacher: no reply address, no ticket token.
    assert proposed[0]["Reply-To"] is None and "[Campus #" not in proposed[0]["Subject"]
    assert f"{BASE}/tickets/{ticket.id}" in links_in(proposed[0])
    act(manager, ticket, "send_back", text="Bitte genauer: welches Kabel?")
    sent_back = inbox.to(pia.email)[-1]
    assert sent_back["Subject"].startswith("Zurückgegeben: Beamer zeigt kein Bild")
    assert "Bitte genauer: welches Kabel?" in text_of(sent_back)
    act(intern, ticket, "propose", text="HDMI-Kabel am Pult getauscht, Bild ist da.")
    assert approve_as_shown(manager, ticket).status_code == 302
    approved = inbox.to(pia.email)[-1]
    assert approved["Subject"].startswith("Freigegeben: Beamer zeigt kein Bild")
    solved = inbox.to(world.teacher.email)[-1]
    assert "HDMI-Kabel am Pult getauscht, Bild ist da." in text_of(solved)
    # The proposals wait unseen by the teacher; notes and comments never leave the page.
    for message in inbox.to(world.teacher.email):
        assert "Bitte genauer" not in message.as_string()
        assert "HDMI-Kabel getauscht." not in text_of(message)
    for message in inbox.messages:
        assert "NOTIZ" not in message.as_string()
    assert not [m for m in inbox.to(world.colleague.email) if "Vorschlag" in m["Subject"]]
    choices = as_user(pia).get("/auth/notifications").text
    assert 'name="sent_back"' in choices and 'name="new_ticket"' not in choices
