"""Shared fixtures: an app on a fresh database, a client, and factories that use the services."""

import os
import re
from itertools import count
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from campus import create_app
from campus.admin.services import save_campus, save_school, save_user, system_actor
from campus.extensions import db
from campus.models import Role
from tests.oidc_provider import idp, oidc_provider  # noqa: F401 - fixtures for every test

TRANSLATIONS = Path(__file__).resolve().parent.parent / "campus" / "translations"
PASSWORD = "correct-horse-battery"


def pytest_sessionstart(session):
    """Compile the catalogs so tests see the committed .po files, even without make: only
    where a catalog changed, and by replacing the file whole, so that another test run
    side by side (.ci/run runs SQLite and PostgreSQL at once) never reads half a file."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(partial, mo_path)


@pytest.fixture
def app_config() -> dict:
    """Settings for `app` beyond the testing ones; a module overrides this fixture."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    app = create_app(
        {
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "MAIL_FOLDER": str(tmp_path / "mails"),
            **app_config,
        }
    )

    def _fresh_request_globals():
        # Requests reuse the test's app context, and with it `g`: clear what an earlier
        # request cached there (the logged-in user, the locale), as a real request would.
        g.__dict__.clear()

    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)

    @app.teardown_request
    def _discard_uncommitted(_exc):
        # The test shares the app context with its requests; a real request ends its
        # session, so anything a route forgot to commit must not survive it here either.
        db.session.rollback()

    with app.app_context():
        db.create_all()  # a no-op where an earlier test left the tables (PostgreSQL)
        yield app
        db.session.remove()
        if not _emptied_for_the_next_test():
            db.drop_all()
        db.engine.dispose()


# Every sequence of the schema back to 1, as if its tables had just been made.
RESTART_SEQUENCES = (
    "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
    "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


def _emptied_for_the_next_test() -> bool:
    """On PostgreSQL, delete every row and restart the ids, keeping the tables for the next
    test: dropping and creating them took half a second a test (a third of the PostgreSQL
    run). SQLite's in-memory database goes with its engine; a test that dropped tables
    itself gets them dropped and made anew."""
    if db.engine.dialect.name != "postgresql":
        return False
    try:
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
            connection.execute(text(RESTART_SEQUENCES))
    except DBAPIError:
        return False
    return True


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_campus(app):
    numbers = count(1)

    def make(name=None):
        campus = save_campus(system_actor(), name or f"Campus {next(numbers)}")
        db.session.commit()
        return campus

    return make


@pytest.fixture
def make_school(app, make_campus):
    numbers = count(100001)

    def make(campus=None, name=None, short_name=None):
        campus = campus or make_campus()
        number = next(numbers)
        school = save_school(
            system_actor(),
            name=name or f"Schule {number}",
            short_name=short_name or f"S{number}",
            school_number=str(number),
            address="Musterstraße 1, 44135 Dortmund",
            campus_id=campus.id,
        )
        db.session.commit()
        return school

    return make


@pytest.fixture
def make_user(app, make_school, make_campus):
    numbers = count(1)

    def make(role=Role.TEACHER, *, email=None, school=None, campuses=None, password=PASSWORD):
        n = next(numbers)
        if role == Role.INTERN:  # set up as an internship, supervised by a new manager
            return _intern(make(Role.CAMPUS_MANAGER, campuses=campuses), n, email, password)
        if role == Role.TEACHER and school is None:
            school = make_school()
        if role == Role.CAMPUS_MANAGER and not campuses:
            campuses = [make_campus()]
        user = save_user(
            system_actor(),
            email=email or f"{role}{n}@example.org",
            display_name=f"{role.title()} {n}",
            role=role,
            school_id=school.id if school else None,
            campus_ids=[c.id for c in campuses or []],
            password=password,
        )
        db.session.commit()
        return user

    return make


def _intern(supervisor, n: int, email: str | None, password: str):
    from datetime import timedelta

    from campus.interns.services import create_internship
    from campus.reports.period import today_in_berlin

    today = today_in_berlin()
    intern = create_internship(
        system_actor(),
        email=email or f"intern{n}@example.org",
        display_name=f"Intern {n}",
        starts_on=today,
        ends_on=today + timedelta(days=10),
        supervisor_id=supervisor.id,
    ).intern
    intern.set_password(password)
    db.session.commit()
    return intern


def logged_in(client) -> bool:
    """Whether the client's session belongs to a logged-in user."""
    return client.get("/auth/password").status_code == 200


def login(client, email, password=PASSWORD):
    return client.post("/auth/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(client, make_user):
    """Log the client in as a new user of `role` and return that user."""

    def log_in(role=Role.TEACHER, **kwargs):
        user = make_user(role, **kwargs)
        response = login(client, user.email)
        assert response.status_code == 302, response.text
        return user

    return log_in


def field_errors(html: str) -> dict[str, str]:
    """The error text shown next to each field: {field id: message}."""
    return dict(
        re.findall(r'<div id="([\w-]+)-error" class="invalid-feedback[^"]*">([^<]*)</div>', html)
    )


class QueryCounter:
    """Counts the SQL statements the app sends while active."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *_args):
        self.count += 1

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)


@pytest.fixture
def count_queries(app):
    return lambda: QueryCounter(db.engine)


@pytest.fixture
def world(app, make_user, make_school, make_campus):
    from tests.tickets_helpers import build_world

    return build_world(make_user, make_school, make_campus)


@pytest.fixture
def as_user(app):
    """A fresh browser logged in as `user`."""

    def log_in(user):
        browser = app.test_client()
        response = login(browser, user.email)
        assert response.status_code == 302, response.text
        return browser

    return log_in


@pytest.fixture
def token_for(app):
    """API headers with a fresh personal token of `user`."""
    from campus.auth.tokens import create_token

    def make(user):
        _record, token = create_token(user, user, "Test")
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def manager_figures(app):
    """Figures per named campus manager switched on (they are off by default)."""
    from campus.models import PrivacySettings

    db.session.add(
        PrivacySettings(
            id=1, manager_figures=True, manager_figures_reason="Dienstvereinbarung vom 1.9.2026"
        )
    )
    db.session.commit()
