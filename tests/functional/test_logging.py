"""Request logs: one JSON line per request with ids and timing, and no secrets."""

import json
import logging
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD


def test_requests_are_logged_as_json_lines_without_secrets(app, client, world, capsys):
    from campus.auth.tokens import create_token
    from campus.extensions import db
    from campus.logs import init_logging

    app.config.update(LOG_FORMAT="json", LOG_LEVEL="INFO")
    init_logging(app)
    _record, token = create_token(world.teacher, world.teacher, "Log")
    db.session.commit()
    client.post(
        "/auth/login?next=/tickets/mine", data={"email": world.teacher.email, "password": PASSWORD}
    )
    client.get("/tickets/mine?q=geheimer+suchbegriff")
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    logging.getLogger("campus").handlers[0].flush()
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    paths = [(line["method"], line["path"], line["status"]) for line in lines]
    assert ("POST", "/auth/login", 302) in paths
    assert ("GET", "/api/v1/me", 200) in paths
    api_line = next(line for line in lines if line["path"] == "/api/v1/me")
    assert api_line["user_id"] == world.teacher.id
    assert api_line["request_id"] and api_line["duration_ms"] >= 0
    for secret in (PASSWORD, token, "geheimer"):
        assert secret not in err


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_request_can_write_a_log_line_of_its_own(capsys, log_format):
    """A line break in the path (%0A, %0D, U+2028) or a crafted request id stays inside
    the request's one line, in text and in JSON logs."""
    from campus import create_app

    app = create_app({"LOG_FORMAT": log_format, "LOG_LEVEL": "INFO"})
    client = app.test_client()
    forged = "2026-11-26 12:00:00,000 INFO campus.requests POST /admin/users 200 1.0ms"
    capsys.readouterr()
    for path in ("/nothing%0A", "/nothing%0D%0A", "/nothing%E2%80%A8"):
        client.get(path + forged.replace(" ", "%20"))
    response = client.get("/healthz", headers={"X-Request-ID": "<Evil> 1;" + "x" * 80})
    logging.getLogger("campus").handlers[0].flush()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4, lines  # one line per request
    start = "{" if log_format == "json" else time.strftime("%Y-")
    assert all(line.startswith(start) for line in lines), lines
    assert all(forged in line for line in lines[:3])  # inside its request's line
    request_id = response.headers["X-Request-ID"]  # the crafted one is replaced
    assert request_id.isalnum() and len(request_id) <= 64
    assert "<Evil>" not in "".join(lines)
    good = client.get("/healthz", headers={"X-Request-ID": "proxy-1234.abc"})
    assert good.headers["X-Request-ID"] == "proxy-1234.abc"  # a plain one is kept


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NAMES = {
    "teacher": "Annegret Lehrerin",
    "manager": "Marco Brandtmeier",
    "colleague": "Kolja Kollege",
    "other_teacher": "Karla Kollegin",
    "admin": "Dana Verwalterin",
}


def test_log_lines_name_users_by_id_never_by_name_or_address(app, world, as_user, capsys):
    """Logins (good, a wrong password, an unknown address), a report, its mails through the
    outbox while the mail server is down and after, a reply on the page and one by e-mail,
    a stranger's mail: the log says which user by id, and holds no name or e-mail address."""
    from campus.extensions import db
    from campus.logs import init_logging
    from campus.mail.gateway import controller
    from campus.mail.sending import send_due
    from campus.models import Mail, MailStatus, Ticket, utcnow
    from tests.functional.test_mail_replies import deliver, reply_to
    from tests.mailserver import MailServer, free_port

    for who, name in NAMES.items():
        getattr(world, who).display_name = name
    db.session.commit()
    server = MailServer()
    app.config.update(
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_FROM="Campus <campus@stadt.example>",
        BASE_URL="https://campus.stadt.example",
        MAIL_REPLY_ADDRESS="antwort@campus.stadt.example",
    )
    init_logging(app)
    port = free_port()
    gateway = controller(app, "127.0.0.1", port)
    gateway.start()
    try:
        browser = app.test_client()
        wrong = browser.post(
            "/auth/login", data={"email": world.teacher.email, "password": "falsch-123456"}
        )
        unknown = browser.post(
            "/auth/login", data={"email": "niemand@example.org", "password": PASSWORD}
        )
        assert wrong.status_code == unknown.status_code != 302
        assert (
            browser.post(
                "/auth/login", data={"email": world.teacher.email, "password": PASSWORD}
            ).status_code
            == 302
        )
        # The mail server is down: the report is saved, its mails wait in the outbox.
        filed = browser.post(
            "/tickets/new",
            data={
                "category": "projector_display",
                "impact": "blocking",
                "room": "A 101",
                "title": "Beamer zeigt kein Bild",
                "description": "Kein Signal.",
            },
        )
        assert filed.status_code == 302, filed.text
        ticket = db.session.scalar(select(Ticket).order_by(Ticket.id.desc()))
        waiting = db.session.scalars(select(Mail.id).where(Mail.ticket_id == ticket.id)).all()
        assert waiting
        server.start()
        assert send_due(utcnow() + timedelta(minutes=2))[0] == len(waiting)
        sent = db.session.scalars(select(Mail.status).where(Mail.id.in_(waiting))).all()
        assert set(sent) == {MailStatus.SENT}
        reply = as_user(world.manager).post(
            f"/tickets/{ticket.id}/reply", data={"reply-text": "Welcher Raum genau?"}
        )
        assert reply.status_code == 302
        notification = server.inbox.one_to(world.teacher.email)
        deliver(port, reply_to(notification, world.teacher.email, "Raum B 113."))
        deliver(port, reply_to(notification, "fremd@example.net", "Kaufen Sie jetzt!"))
    finally:
        gateway.stop()
        server.stop()
    logging.getLogger("campus").handlers[0].flush()
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    messages = [line["message"] for line in lines]

    assert EMAIL.findall(err) == []
    for name in NAMES.values():
        for part in name.split():
            assert part not in err, part
    # Which user: by id, in the request lines and the line of the reply by e-mail.
    by_path = {(line.get("method"), line.get("path")): line for line in lines}
    assert by_path[("POST", "/tickets/new")]["user_id"] == world.teacher.id
    assert by_path[("POST", f"/tickets/{ticket.id}/reply")]["user_id"] == world.manager.id
    # (Each request's line twice: init_logging above added a second after_request.)
    logins = {x["request_id"]: x for x in lines if x.get("path") == "/auth/login"}
    logins = list(logins.values())[:3]
    assert [line["user_id"] for line in logins] == [None, None, world.teacher.id]
    assert f"reply by e-mail: added (ticket {ticket.id}, user {world.teacher.id})" in messages
    assert any(m.startswith("reply by e-mail: refused") for m in messages), messages
    # A mail the server did not take: by its id.
    assert f"mail {waiting[0]} not sent: could not reach the mail server" in messages


def test_database_errors_show_no_values(app, world):
    """The log of a failed statement (campus/errors.py logs it with its traceback) names
    the statement, never the names, addresses or texts it carried."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from campus.extensions import db

    with pytest.raises(IntegrityError) as error:
        db.session.execute(
            text("INSERT INTO users (email, display_name) VALUES (:email, :name)"),
            {"email": world.teacher.email, "name": "Annegret Lehrerin"},
        )
    db.session.rollback()
    import logging

    handler = logging.getLogger("campus").handlers[0]
    failure = (error.type, error.value, error.tb)
    logged = handler.format(
        logging.LogRecord("campus", logging.ERROR, __file__, 1, "failed", None, failure)
    )
    assert "INSERT INTO users" in logged
    assert world.teacher.email not in logged
    assert "Annegret" not in logged
