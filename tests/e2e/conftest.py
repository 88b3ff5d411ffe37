"""A live server on a random local port and a headless Chromium to drive it."""

import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from campus import create_app
from campus.extensions import db

CHROMIUM = os.environ.get("CAMPUS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(skip)


@contextmanager
def served(app):
    """Serve `app` with werkzeug in a thread (its address in LIVE_URL); afterwards stop it
    and drop its tables (the PostgreSQL test database is shared with the next test)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@pytest.fixture
def live_app(tmp_path):
    """The real app on a SQLite file, served by werkzeug in a thread."""
    url = os.environ.get("CAMPUS_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'e2e.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": True})
    with app.app_context():
        db.create_all()
    with served(app):
        yield app


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_app):
    context = browser.new_context(base_url=live_app.config["LIVE_URL"], locale="de-DE")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


E2E_PASSWORD = "ein-langes-passwort"


@dataclass
class People:
    school_id: int
    teacher: str = "l@example.org"
    manager: str = "m@example.org"
    admin: str = "a@example.org"


@pytest.fixture
def people(live_app) -> People:
    """One campus with one school, and a teacher, a campus manager and an admin there."""
    from campus.admin.services import save_campus, save_school, save_user, system_actor
    from campus.models import Role

    with live_app.app_context():
        actor = system_actor()
        campus = save_campus(actor, "Campus Nord")
        school = save_school(
            actor,
            name="Helmholtz-Gymnasium",
            short_name="HHG",
            school_number="170001",
            address="",
            campus_id=campus.id,
        )
        found = People(school_id=school.id)
        for email, name, role, extra in (
            (found.teacher, "Tina Lehmann", Role.TEACHER, {"school_id": school.id}),
            (found.manager, "Marco Brandt", Role.CAMPUS_MANAGER, {"campus_ids": [campus.id]}),
            (found.admin, "Dana Admin", Role.ADMIN, {}),
        ):
            save_user(
                actor, email=email, display_name=name, role=role, password=E2E_PASSWORD, **extra
            )
        db.session.commit()
    return found


def log_in(page, email: str, password: str = E2E_PASSWORD) -> None:
    """Log in through the login form (the page may already be on it)."""
    if "/auth/login" not in page.url:
        page.goto("/auth/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def demo_app(folder: Path):
    """The app on the demo data (all four roles, tickets in every state), not yet served:
    loading the demo takes a few seconds, so modules share it."""
    url = os.environ.get("CAMPUS_TEST_DATABASE_URL") or f"sqlite:///{folder / 'demo.db'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": True,
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "MAIL_FOLDER": str(folder / "mails"),
        }
    )
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["campus", "seed-demo"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="module")
def demo_live(tmp_path_factory):
    """The demo served in a thread for a whole test module."""
    with served(demo_app(tmp_path_factory.mktemp("demo-live"))) as app:
        yield app
