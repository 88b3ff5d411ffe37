"""Request logs: one JSON line per request with ids and timing, and no secrets."""

import json
import logging

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
