"""Replies by e-mail through the real gateway (`flask campus mail-gateway`'s aiosmtpd
endpoint): real RFC 5322 messages sent with smtplib, as a school's mail server would
forward them."""

import re
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from campus.extensions import db
from campus.mail.gateway import controller
from campus.mail.parsing import parse
from campus.models import InboundMail, Ticket, TicketEvent, TicketPhoto
from tests.mailserver import MailServer, free_port, text_of
from tests.tickets_helpers import png_bytes

REPLY_DOMAIN = "campus.stadt.example"


@pytest.fixture
def mailserver(app):
    server = MailServer()
    server.start()
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_FROM="Campus <campus@stadt.example>",
        BASE_URL="https://campus.stadt.example",
        MAIL_REPLY_ADDRESS=f"antwort@{REPLY_DOMAIN}",
    )
    yield server
    server.stop()


@pytest.fixture
def gateway(app, mailserver):
    port = free_port()
    running = controller(app, "127.0.0.1", port)
    running.start()
    yield port
    running.stop()


def deliver(port: int, message: EmailMessage, lmtp: bool = False) -> None:
    # The gateway works in a thread of its own; the test's transaction ends first (the
    # in-memory test database is one connection shared by both threads).
    db.session.commit()
    kind = smtplib.LMTP if lmtp else smtplib.SMTP
    with kind("127.0.0.1", port, timeout=10) as connection:
        connection.send_message(message)


def notified(world, as_user, mailserver) -> tuple[Ticket, EmailMessage]:
    """A ticket the manager answered publicly: the teacher's notification to reply to."""
    browser = as_user(world.teacher)
    browser.post(
        "/tickets/new",
        data={
            "category": "projector_display",
            "impact": "blocking",
            "title": "Beamer zeigt kein Bild",
            "description": "Kein Signal.",
        },
    )
    ticket = db.session.scalar(select(Ticket).order_by(Ticket.id.desc()))
    response = as_user(world.manager).post(
        f"/tickets/{ticket.id}/reply", data={"reply-text": "Welcher Raum genau?"}
    )
    assert response.status_code == 302
    return ticket, mailserver.inbox.one_to(world.teacher.email)


def reply_to(notification: EmailMessage, sender: str, body: str, **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Anna Lehrerin <{sender}>"
    message["To"] = notification["Reply-To"]
    message["Subject"] = "Re: " + notification["Subject"]
    message["Message-ID"] = make_msgid(domain="schule.example")
    message["In-Reply-To"] = notification["Message-ID"]
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


GERMAN_REPLY = (
    "Raum B 113, der große Beamer über der Tafel. Grüße!\n"
    "\n"
    "Am 27.11.2026 um 08:15 schrieb Campus <campus@stadt.example>:\n"
    "> Hallo Anna,\n"
    "> Welcher Raum genau?\n"
)


def replies(ticket: Ticket) -> list[TicketEvent]:
    return list(
        db.session.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "replied"
            )
        )
    )


def test_a_reply_lands_on_its_ticket_once_without_the_quote(world, as_user, mailserver, gateway):
    ticket, notification = notified(world, as_user, mailserver)
    message = reply_to(notification, world.teacher.email, GERMAN_REPLY)
    deliver(gateway, message)
    deliver(gateway, message)  # the mail server delivers the same message again
    added = [e for e in replies(ticket) if e.actor_id == world.teacher.id]
    assert len(added) == 1
    assert added[0].text == "Raum B 113, der große Beamer über der Tafel. Grüße!"
    assert not added[0].internal
    # The manager hears of it by mail, as of a reply on the page.
    to_manager = [m for m in mailserver.inbox.to(world.manager.email) if "B 113" in text_of(m)]
    assert len(to_manager) == 1


def test_a_forged_reply_address_is_refused_politely_and_adds_nothing(
    world, as_user, mailserver, gateway
):
    ticket, notification = notified(world, as_user, mailserver)
    forged = reply_to(notification, world.teacher.email, "Bitte schließen.")
    address = notification["Reply-To"]
    local, _, domain = address.partition("@")
    wrong = local[:-1] + ("a" if local[-1] != "a" else "b")
    forged.replace_header("To", f"{wrong}@{domain}")
    deliver(gateway, forged)
    assert [e for e in replies(ticket) if e.actor_id == world.teacher.id] == []
    answer = mailserver.inbox.to(world.teacher.email)[-1]
    assert answer["X-Campus-Kind"] == "reply_refused"
    assert "Bitte schließen." not in text_of(answer)
    outcome = db.session.scalar(select(InboundMail.outcome).order_by(InboundMail.id.desc()))
    assert outcome == "refused"


def test_the_address_of_one_person_does_not_work_for_another(world, as_user, mailserver, gateway):
    ticket, notification = notified(world, as_user, mailserver)
    # A colleague who got the notification forwarded answers to it from her own address.
    deliver(gateway, reply_to(notification, world.other_teacher.email, "Ich war's nicht."))
    deliver(gateway, reply_to(notification, "fremd@example.net", "Kaufen Sie jetzt!"))
    assert [e.actor_id for e in replies(ticket)] == [world.manager.id]
    refused = db.session.scalar(
        select(func.count(InboundMail.id)).where(InboundMail.outcome == "refused")
    )
    assert refused == 2


def test_automatic_mail_is_neither_added_nor_answered(world, as_user, mailserver, gateway):
    ticket, notification = notified(world, as_user, mailserver)
    before = len(mailserver.inbox.messages)
    away = reply_to(
        notification,
        world.teacher.email,
        "Ich bin bis Montag nicht im Haus.",
        Auto_Submitted="auto-replied",
    )
    deliver(gateway, away)
    assert [e.actor_id for e in replies(ticket)] == [world.manager.id]
    assert len(mailserver.inbox.messages) == before  # no answer to an answer machine


def test_photos_attached_to_a_reply_are_taken_under_the_upload_checks(
    world, as_user, mailserver, gateway
):
    ticket, notification = notified(world, as_user, mailserver)
    message = reply_to(notification, world.teacher.email, "Foto vom Fehler anbei.")
    message.add_attachment(png_bytes(40, 30), maintype="image", subtype="png", filename="a.png")
    message.add_attachment(
        b"%PDF-1.4 nope", maintype="application", subtype="pdf", filename="x.pdf"
    )
    deliver(gateway, message)
    photos = db.session.scalars(select(TicketPhoto).where(TicketPhoto.ticket_id == ticket.id)).all()
    assert [p.content_type for p in photos] == ["image/png"]
    text = next(e for e in replies(ticket) if e.actor_id == world.teacher.id).text
    assert text.startswith("Foto vom Fehler anbei.") and "x.pdf" in text


def test_a_fake_image_is_refused_with_the_upload_message(world, as_user, mailserver, gateway):
    ticket, notification = notified(world, as_user, mailserver)
    message = reply_to(notification, world.teacher.email, "Hier das Bild.")
    message.add_attachment(b"not an image", maintype="image", subtype="png", filename="b.png")
    deliver(gateway, message)
    assert [e.actor_id for e in replies(ticket)] == [world.manager.id]
    answer = mailserver.inbox.to(world.teacher.email)[-1]
    assert answer["X-Campus-Kind"] == "reply_refused" and "b.png" in text_of(answer)


def test_the_subject_token_works_from_the_known_sender_only(world, as_user, mailserver, gateway):
    ticket, notification = notified(world, as_user, mailserver)
    plain = reply_to(notification, world.teacher.email, "Über den Betreff zugeordnet.")
    plain.replace_header("To", f"antwort@{REPLY_DOMAIN}")  # answered to the plain address
    deliver(gateway, plain)
    assert replies(ticket)[-1].text == "Über den Betreff zugeordnet."
    guessed = reply_to(notification, world.teacher.email, "Geraten.")
    guessed.replace_header("To", f"antwort@{REPLY_DOMAIN}")
    guessed.replace_header("Subject", f"Re: [Campus #{ticket.number} aaaaaaaa]")
    deliver(gateway, guessed)
    assert replies(ticket)[-1].text == "Über den Betreff zugeordnet."


def test_the_gateway_relays_nothing(gateway):
    with smtplib.SMTP("127.0.0.1", gateway, timeout=10) as connection:
        connection.ehlo()
        connection.mail("spam@example.net")
        code, _text = connection.rcpt("someone@example.org")
    assert code == 550


def test_lmtp_answers_once_per_recipient(app, world, as_user, mailserver):
    ticket, notification = notified(world, as_user, mailserver)
    port = free_port()
    running = controller(app, "127.0.0.1", port, lmtp=True)
    running.start()
    try:
        deliver(port, reply_to(notification, world.teacher.email, "Per LMTP."), lmtp=True)
    finally:
        running.stop()
    assert replies(ticket)[-1].text == "Per LMTP."


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "replies"


@pytest.mark.parametrize(
    ("name", "sender", "expected"),
    [
        (
            "outlook_de.eml",
            b"juergen.mueller@schule.example",
            "Die Lampe leuchtet grün, aber das Bild bleibt schwarz.\nGrüße\nJürgen Müller",
        ),
        ("gmail_de.eml", b"anna.beispiel@gmail.example", None),
        ("forwarded_de.eml", b"j.kowalski@schule.example", None),
    ],
)
def test_real_mail_programs_replies_through_the_gateway(
    world, as_user, mailserver, gateway, name, sender, expected
):
    """Outlook (HTML only), Gmail (wrapped quote header), a forwarded mail: each lands as
    its new text only, once."""
    ticket, notification = notified(world, as_user, mailserver)
    raw = (FIXTURES / name).read_bytes()
    tagged = re.compile(rb"antwort\+\d+-\d+-[a-z2-7]{20}@campus\.stadt\.example")
    raw = tagged.sub(notification["Reply-To"].encode(), raw)
    raw = raw.replace(sender, world.teacher.email.encode())
    deliver_raw(gateway, raw, notification["Reply-To"])
    deliver_raw(gateway, raw, notification["Reply-To"])  # delivered twice, lands once
    added = [e.text for e in replies(ticket) if e.actor_id == world.teacher.id]
    wanted = expected or parse(raw).text
    assert added == [wanted]
    assert ">" not in added[0] and "schrieb" not in added[0]


def deliver_raw(port: int, raw: bytes, to: str) -> None:
    """As a mail server sends it: lines ending in CRLF (smtplib sends bytes as they are)."""
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    db.session.commit()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as connection:
        connection.sendmail("sender@schule.example", [to], raw)


# --- found in review ---------------------------------------------------------------------------


def test_a_subject_token_works_only_for_its_own_reader(world, as_user, mailserver, gateway):
    """The teacher's token with a forged From of the manager adds nothing in his name."""
    ticket, notification = notified(world, as_user, mailserver)
    forged = reply_to(notification, world.manager.email, "Erledigt, bitte nicht mehr melden.")
    forged.replace_header("To", f"antwort@{REPLY_DOMAIN}")
    deliver(gateway, forged)
    assert [e.actor_id for e in replies(ticket)] == [world.manager.id]  # his own, earlier
    assert replies(ticket)[-1].text == "Welcher Raum genau?"


def test_strangers_get_no_answer(world, as_user, mailserver, gateway):
    _ticket, notification = notified(world, as_user, mailserver)
    before = len(mailserver.inbox.messages)
    spam = reply_to(notification, "opfer@fremd.example", "Gewinnen Sie jetzt!")
    spam.replace_header("Subject", "Gewinnen Sie jetzt 1000 EUR: http://spam.example/x")
    deliver(gateway, spam)
    assert len(mailserver.inbox.messages) == before
    assert db.session.scalar(select(InboundMail.outcome).order_by(InboundMail.id.desc())) == (
        "refused"
    )


def test_a_huge_ticket_number_is_refused_not_retried(world, as_user, mailserver, gateway):
    _ticket, notification = notified(world, as_user, mailserver)
    odd = reply_to(notification, world.teacher.email, "Hallo")
    odd.replace_header("To", f"antwort@{REPLY_DOMAIN}")
    odd.replace_header("Subject", "Re: [Campus #9999999999 abcdefgh]")
    deliver(gateway, odd)  # smtplib raises on anything but 250
    assert db.session.scalar(select(InboundMail.outcome).order_by(InboundMail.id.desc())) == (
        "refused"
    )


def test_a_header_bomb_is_dropped_at_once(world, as_user, mailserver, gateway):
    _ticket, notification = notified(world, as_user, mailserver)
    bomb = reply_to(notification, world.teacher.email, "x")
    # Folded over short lines, as a mail server passes it on (each line under 1,000 bytes).
    words = b"\n ".join([b"=?utf-8?q?a?="] * 20_000)
    raw = bytes(bomb).replace(b"\nSubject:", b"\nSubject: " + words + b"\n", 1)
    assert raw.count(b"=?") >= 20_000
    deliver_raw(gateway, raw, notification["Reply-To"])
    assert db.session.scalar(select(InboundMail.outcome).order_by(InboundMail.id.desc())) == (
        "ignored"
    )


def test_a_solved_mail_invites_no_reply(world, as_user, mailserver):
    _ticket, _notification = notified(world, as_user, mailserver)
    ticket = db.session.scalar(select(Ticket).order_by(Ticket.id.desc()))
    as_user(world.manager).post(f"/tickets/{ticket.id}/resolve", data={"resolve-text": "Kabel."})
    solved = mailserver.inbox.to(world.teacher.email)[-1]
    assert solved["X-Campus-Kind"] == "resolved"
    assert solved["Reply-To"] is None
    assert "antworten" not in text_of(solved)
