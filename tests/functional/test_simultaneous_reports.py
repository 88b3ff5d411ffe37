"""No lost report: many teachers file and reply at the same moment against a live server
(gunicorn, two worker processes), on SQLite and on PostgreSQL. Every request succeeds,
every report gets its own number, and every one is in the database afterwards."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from campus import create_app
from campus.auth.tokens import create_token
from campus.extensions import db
from campus.models import Role, Ticket, TicketEvent
from campus.unit_of_work import work

ROOT = Path(__file__).resolve().parents[2]
THREADS = 12
REPORTS_PER_THREAD = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(base: str, token: str, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the local test server
        base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - local
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"body": error.read().decode(errors="replace")[:300]}


def _file(base: str, token: str, title: str) -> tuple[int, dict]:
    """A teacher files a ticket through the API."""
    report = {
        "title": title,
        "description": "Kein Bild.",
        "category": "projector_display",
        "impact": "blocking",
    }
    return _call(base, token, "/api/v1/tickets", report)


def _teachers_with_tokens(make_user, make_school) -> list[str]:
    school = make_school()
    tokens = []
    for _ in range(THREADS):
        teacher = make_user(Role.TEACHER, school=school)
        with work():
            _record, token = create_token(teacher, teacher, "load")
        tokens.append(token)
    return tokens


def _serve(database_url: str, log: Path):
    port = _free_port()
    output = log.open("wb")
    env = {
        **os.environ,
        "CAMPUS_ENV": "development",
        "CAMPUS_DATABASE_URL": database_url,
        "CAMPUS_RATELIMIT_ENABLED": "false",
        "CAMPUS_WEBHOOK_DELIVERY": "off",
        "CAMPUS_JOBS": "off",
        "CAMPUS_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310 - local
                return server, base, output
        except OSError:
            time.sleep(0.2)
    server.kill()
    output.close()
    pytest.fail("gunicorn did not start: " + log.read_text(errors="replace")[-2000:])


def _file_and_reply_at_once(base: str, tokens: list[str]) -> list[tuple[str, int, dict]]:
    results: list[tuple[str, int, dict]] = []
    start = threading.Barrier(len(tokens))

    def teacher(token: str, n: int):
        start.wait()
        for k in range(REPORTS_PER_THREAD):
            status, body = _file(base, token, f"Beamer {n}-{k}")
            results.append(("file", status, body))
            if status == 201:
                reply = {"action": "reply", "text": f"Raum A {k}"}
                status, answer = _call(base, token, f"/api/v1/tickets/{body['id']}/actions", reply)
                results.append(("reply", status, answer))

    threads = [threading.Thread(target=teacher, args=(t, n)) for n, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def _against_live_server(database_url: str, tokens: list[str], tmp_path: Path):
    """Start gunicorn on the database, let the teachers work at once, stop it."""
    server, base, output = _serve(database_url, tmp_path / "gunicorn.log")
    try:
        return _file_and_reply_at_once(base, tokens)
    finally:
        server.terminate()
        server.wait(timeout=30)
        output.close()


def _check(results, numbers, replies):
    failures = [(kind, status, body) for kind, status, body in results if status >= 300]
    assert failures == [], failures[:5]
    filed = [body for kind, _status, body in results if kind == "file"]
    assert len(filed) == THREADS * REPORTS_PER_THREAD
    assert len({body["number"] for body in filed}) == len(filed)  # no number twice
    assert sorted(numbers) == sorted(body["number"] for body in filed)  # none lost
    assert replies == len(filed)


def _stored():
    db.session.expire_all()
    numbers = list(db.session.scalars(select(Ticket.number)))
    replies = db.session.scalar(
        select(func.count(TicketEvent.id)).where(TicketEvent.kind == "replied")
    )
    return numbers, replies


def test_simultaneous_reports_on_sqlite_are_all_kept(tmp_path, make_user, make_school):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    live = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path)})
    with live.app_context():
        db.create_all()
        tokens = _teachers_with_tokens(make_user, make_school)  # into the live database
        _check(_against_live_server(url, tokens, tmp_path), *_stored())
        db.session.remove()
        db.engine.dispose()


def test_simultaneous_reports_on_postgresql_are_all_kept(app, tmp_path, make_user, make_school):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: run with make test-postgres")
    tokens = _teachers_with_tokens(make_user, make_school)
    db.session.commit()
    results = _against_live_server(app.config["SQLALCHEMY_DATABASE_URI"], tokens, tmp_path)
    _check(results, *_stored())
