"""The reports page in a real browser: charts drawn, a custom period chosen, no a11y errors."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from campus.admin.services import save_campus, save_school, save_user, system_actor
from campus.extensions import db
from campus.models import Role
from campus.tickets import services
from campus.tickets.reporting import report_ticket
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e
PASSWORD = "ein-langes-passwort"


@pytest.fixture
def admin(live_app):
    with live_app.app_context():
        campus = save_campus(system_actor(), "Campus Nord")
        school = save_school(
            system_actor(),
            name="Helmholtz-Gymnasium",
            short_name="HHG",
            school_number="170001",
            address="",
            campus_id=campus.id,
        )
        teacher = save_user(
            system_actor(),
            email="l@example.org",
            display_name="Tina Lehmann",
            role=Role.TEACHER,
            school_id=school.id,
            password=PASSWORD,
        )
        manager = save_user(
            system_actor(),
            email="m@example.org",
            display_name="Marco Brandt",
            role=Role.CAMPUS_MANAGER,
            campus_ids=[campus.id],
            password=PASSWORD,
        )
        save_user(
            system_actor(),
            email="a@example.org",
            display_name="Dana Admin",
            role=Role.ADMIN,
            password=PASSWORD,
        )
        for n in range(4):
            ticket = report_ticket(
                teacher, title=f"Problem {n}", description="…", category="printer", impact="minor"
            )
            services.claim(manager, ticket)
            if n < 3:
                services.resolve(manager, ticket, "Gelöst.")
        db.session.commit()
    return "a@example.org"


def test_admin_reads_the_reports_page(browser, live_app, admin):
    context = browser.new_context(
        base_url=live_app.config["LIVE_URL"], locale="de-DE", bypass_csp=True
    )
    page = context.new_page()
    page.goto("/auth/login")
    page.get_by_label("E-Mail").fill(admin)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("link", name="Berichte").click()
    expect(page.get_by_text("75\u00a0% von 4 erfassten Störungen")).to_be_visible()
    expect(page.get_by_role("img", name="Lösungsquote im 1st Level nach Monat")).to_be_visible()
    screenshot(page, "reports")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()

    page.get_by_role("combobox", name="Zeitraum").select_option("last_30_days")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_text("75\u00a0% von 4 erfassten Störungen")).to_be_visible()
    page.get_by_role("link", name="Evaluationsbericht (Druck)").click()
    expect(page.get_by_role("heading", name="IT-Schulcampus: Evaluationsbericht")).to_be_visible()
    screenshot(page, "evaluation")
    context.close()
