"""An administrator sets up a school and a teacher in a real browser; the teacher logs in."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from campus.admin.services import save_campus, save_user, system_actor
from campus.extensions import db
from campus.models import Role
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e
ADMIN_PASSWORD = "admin-passwort-123"


@pytest.fixture
def admin(live_app):
    with live_app.app_context():
        save_campus(system_actor(), "Campus Dortmund-Nord")
        user = save_user(
            system_actor(),
            email="admin@example.org",
            display_name="Dana Admin",
            role=Role.ADMIN,
            password=ADMIN_PASSWORD,
        )
        db.session.commit()
        return user.email


def log_in(page, email, password):
    page.goto("/auth/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_admin_creates_school_and_teacher_who_then_logs_in(page, admin):
    log_in(page, admin, ADMIN_PASSWORD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Schulen"
    ).click()
    page.get_by_role("link", name="Neue Schule").click()
    page.get_by_label("Name", exact=True).fill("Helmholtz-Gymnasium")
    page.get_by_label("Kurzname").fill("HHG")
    page.get_by_label("Schulnummer").fill("170123")
    page.get_by_label("Campus").select_option(label="Campus Dortmund-Nord")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Helmholtz-Gymnasium").first).to_be_visible()

    page.goto("/admin/users/new")
    page.get_by_label("Name", exact=True).fill("Jörg Öztürk")
    page.get_by_label("E-Mail").fill("joerg@example.org")
    page.get_by_label("Rolle").select_option("teacher")
    page.get_by_label("Schule").select_option(label="Helmholtz-Gymnasium (Campus Dortmund-Nord)")
    page.get_by_label("Passwort").fill("lehrer-passwort-1")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("cell", name="joerg@example.org")).to_be_visible()
    screenshot(page, "admin-users")

    page.get_by_role("button", name="Abmelden").click()
    log_in(page, "joerg@example.org", "lehrer-passwort-1")
    expect(page.get_by_role("heading", name="Meine Tickets")).to_be_visible()
    expect(page.get_by_role("link", name="Jörg Öztürk")).to_be_visible()
    assert page.console_errors == []


def test_bad_input_is_shown_next_to_the_field(page, admin):
    log_in(page, admin, ADMIN_PASSWORD)
    page.goto("/admin/users/new")
    page.get_by_label("E-Mail").fill("admin@example.org")
    page.get_by_label("Rolle").select_option("campus_manager")
    page.get_by_role("button", name="Speichern").click()
    email_error = page.locator("#email-error")
    assert "existiert bereits" in email_error.inner_text()
    assert page.get_by_label("E-Mail").get_attribute("aria-invalid") == "true"
    expect(page.locator("#campus_ids-error")).to_be_visible()
    screenshot(page, "user-form-errors")


def test_login_page_works_on_a_phone(browser, live_app, admin):
    context = browser.new_context(
        base_url=live_app.config["LIVE_URL"],
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="de-DE",
    )
    page = context.new_page()
    page.goto("/auth/login")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # no sideways scrolling on a phone
    log_in(page, admin, ADMIN_PASSWORD)
    page.get_by_role("button", name="Menü").click()
    expect(page.get_by_role("link", name="Benutzer*innen").first).to_be_visible()
    screenshot(page, "admin-phone")
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/auth/login",
        "/admin/",
        "/admin/users",
        "/admin/users/new",
        "/admin/schools/new",
        "/auth/password",
    ],
)
def test_pages_have_no_serious_accessibility_violations(browser, live_app, admin, path):
    context = browser.new_context(
        base_url=live_app.config["LIVE_URL"], bypass_csp=True, locale="de-DE"
    )
    page = context.new_page()
    if path != "/auth/login":
        log_in(page, admin, ADMIN_PASSWORD)
    page.goto(path)
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    context.close()
