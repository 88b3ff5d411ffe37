"""Request logs: one JSON line per request with ids and timing, and no secrets."""

import json
import logging
import time

import pytest

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
