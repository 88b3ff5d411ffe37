"""The job queue: jobs on Redis taken by `flask campus worker` in another process, the
periodic sweeps started once per interval however many workers run, and the in-process
worker without Redis."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from campus import create_app
from campus.extensions import db
from campus.jobs import Ticker, queue, work_forever
from campus.models import Mail, MailStatus, TicketEvent
from tests.mailserver import MailServer
from tests.tickets_helpers import build_world

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("CAMPUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("needs Redis at " + REDIS_URL)


@pytest.fixture
def mailserver():
    server = MailServer()
    server.start()
    yield server
    server.stop()


def file_ticket(client, impact="blocking") -> None:
    response = client.post(
        "/tickets/new",
        data={
            "category": "network_wifi",
            "impact": impact,
            "title": "WLAN im Lehrerzimmer weg",
            "description": "Kein Netz seit der 2. Stunde.",
        },
    )
    assert response.status_code == 302, response.text


def world_in(app):
    from itertools import count

    from campus.admin.services import save_campus, save_school, save_user, system_actor
    from tests.conftest import PASSWORD

    numbers = count(1)

    def make_campus(name):
        campus = save_campus(system_actor(), name)
        db.session.commit()
        return campus

    def make_school(campus, name, short_name):
        school = save_school(
            system_actor(),
            name=name,
            short_name=short_name,
            school_number=str(100 + next(numbers)),
            address="Musterstraße 1",
            campus_id=campus.id,
        )
        db.session.commit()
        return school

    def make_user(role, *, email, school=None, campuses=None):
        user = save_user(
            system_actor(),
            email=email,
            display_name=email.split("@")[0],
            role=role,
            school_id=school.id if school else None,
            campus_ids=[c.id for c in campuses or []],
            password=PASSWORD,
        )
        db.session.commit()
        return user

    return build_world(make_user, make_school, make_campus)


def test_jobs_on_redis_are_done_by_the_worker_process(tmp_path, mailserver):
    redis_or_skip()
    name = f"campus-test-{uuid.uuid4().hex[:8]}"
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.db'}",
        "JOBS": "redis",
        "REDIS_URL": REDIS_URL,
        "JOB_QUEUE_NAME": name,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mailserver.port,
        "BASE_URL": "https://campus.stadt.example",
        "UPLOAD_FOLDER": str(tmp_path),
    }
    app = create_app(settings)
    with app.app_context():
        db.create_all()
        world = world_in(app)
        client = app.test_client()
        client.post(
            "/auth/login", data={"email": world.teacher.email, "password": "correct-horse-battery"}
        )
        file_ticket(client)
        assert queue(app).count == 1  # the job that writes the report's mails, waiting
        assert mailserver.inbox.messages == []
        env = {key: value for key, value in os.environ.items() if not key.startswith("CAMPUS_")}
        env.update(
            {
                "CAMPUS_ENV": "testing",
                "FLASK_APP": "wsgi",
                "CAMPUS_DATABASE_URL": settings["SQLALCHEMY_DATABASE_URI"],
                **{
                    f"CAMPUS_{k}": str(v)
                    for k, v in settings.items()
                    if k != "SQLALCHEMY_DATABASE_URI"
                },
            }
        )
        done = subprocess.run(
            [sys.executable, "-m", "flask", "campus", "worker", "--burst"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert sorted(str(m["To"]) for m in mailserver.inbox.messages) == sorted(
            [world.manager.email, world.colleague.email]
        )
        assert queue(app).count == 0
        statuses = set(db.session.scalars(select(Mail.status)))
        assert statuses == {MailStatus.SENT}
        leftovers = queue(app).connection.keys(f"*{name}*")
        if leftovers:
            queue(app).connection.delete(*leftovers)


def test_each_periodic_job_starts_once_per_interval_across_workers(tmp_path):
    redis_or_skip()
    name = f"campus-test-{uuid.uuid4().hex[:8]}"
    app = create_app({"JOBS": "redis", "REDIS_URL": REDIS_URL, "JOB_QUEUE_NAME": name})
    first, second = Ticker(app), Ticker(app)
    started = first.tick(1000.0)
    assert "mail.send_due" in started and "tickets.housekeeping" in started
    assert second.tick(1000.0) == []  # another worker has them for this interval
    assert first.tick(1010.0) == []  # not due again yet
    connection = redis.Redis.from_url(REDIS_URL)
    assert connection.llen(f"rq:queue:{name}") == len(started)
    for key in connection.keys(f"*{name}*"):
        connection.delete(key)


def test_without_redis_the_worker_does_the_sweeps_itself(app, world, as_user, tmp_path):
    server = MailServer()
    server.start()
    try:
        app.config.update(
            JOBS="off",  # nothing at once: only the worker's sweeps
            MAIL_BACKEND="smtp",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=server.port,
        )
        file_ticket(as_user(world.teacher))
        # The report's history entry is the notice; no mail is written yet.
        assert db.session.scalar(select(Mail.id).limit(1)) is None
        assert db.session.scalar(select(TicketEvent.mailed)) is False
        assert server.inbox.messages == []
        db.session.commit()
        work_forever(app, burst=True)
        assert sorted(str(m["To"]) for m in server.inbox.messages) == sorted(
            [world.manager.email, world.colleague.email]
        )
        assert set(db.session.scalars(select(Mail.status))) == {MailStatus.SENT}
        work_forever(app, burst=True)  # again: nothing twice
        assert len(server.inbox.messages) == 2
    finally:
        server.stop()
