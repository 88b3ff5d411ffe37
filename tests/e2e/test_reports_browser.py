"""The reports page in a real browser: charts drawn, a custom period chosen, no a11y errors."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from campus.extensions import db
from campus.models import User
from campus.tickets import services
from campus.tickets.filing import report_ticket
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin(live_app, people):
    with live_app.app_context():
        teacher = db.session.scalar(db.select(User).where(User.email == people.teacher))
        manager = db.session.scalar(db.select(User).where(User.email == people.manager))
        for n in range(4):
            ticket = report_ticket(
                teacher, title=f"Problem {n}", description="…", category="printer", impact="minor"
            )
            services.claim(manager, ticket)
            if n < 3:
                services.resolve(manager, ticket, "Gelöst.")
        db.session.commit()
    return people.admin


def test_admin_reads_the_reports_page(browser, live_app, admin):
    context = browser.new_context(
        base_url=live_app.config["LIVE_URL"], locale="de-DE", bypass_csp=True
    )
    page = context.new_page()
    log_in(page, admin)
    page.get_by_role("link", name="Berichte").click()
    expect(page.get_by_text("75\u00a0% von 4 erfassten Störungen")).to_be_visible()
    expect(page.get_by_role("img", name="Lösungsquote der 1. Ebene nach Monat")).to_be_visible()
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
