"""The trend chart in a real browser: readable on a phone (text at least 11 px at 390 px
wide), no sideways scrolling, no serious accessibility violations; on the admin's start
page and in the printable evaluation report."""

from datetime import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from campus.admin.services import system_actor
from campus.extensions import db
from campus.models import User, utcnow
from campus.reports.period import BERLIN
from campus.reports.targets import set_flr_target
from campus.tickets import services
from campus.tickets.filing import report_ticket
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def months_back(back: int, day: int, hour: int = 9) -> datetime:
    today = utcnow().astimezone(BERLIN).date()
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return datetime(year, month + 1, day, hour, tzinfo=BERLIN)


@pytest.fixture
def admin(live_app, people):
    """Twelve months with a rising share resolved on site, and a running month."""
    with live_app.app_context():
        teacher = db.session.scalar(db.select(User).where(User.email == people.teacher))
        manager = db.session.scalar(db.select(User).where(User.email == people.manager))
        for back in range(12, 0, -1):
            for n in range(6):
                ticket = report_ticket(
                    teacher,
                    title=f"Problem {back}-{n}",
                    description="…",
                    category="printer",
                    impact="blocking" if n == 5 else "minor",
                    now=months_back(back, 3 + n),
                )
                if n < (13 - back) // 3 + 1:
                    services.resolve(manager, ticket, "Gelöst.", now=months_back(back, 3 + n, 12))
        report_ticket(
            teacher, title="Beamer aus", description="…", category="printer", impact="blocking"
        )
        set_flr_target(system_actor(), "60")
        db.session.commit()
    return people.admin


def rendered_font_px(page) -> float:
    """The smallest text size of the trend chart as drawn: the font size in the SVG's
    units times the SVG's scale."""
    return page.evaluate(
        """() => {
          const svg = document.querySelector('svg.trend-chart');
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          const sizes = [...svg.querySelectorAll('text')].map(
            t => parseFloat(getComputedStyle(t).fontSize) * scale);
          return Math.min(...sizes);
        }"""
    )


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_start_page_chart_is_readable_on_a_phone(browser, live_app, admin):
    context = browser.new_context(
        base_url=live_app.config["LIVE_URL"], locale="de-DE", viewport=PHONE
    )
    page = context.new_page()
    log_in(page, admin)
    page.goto("/admin/")
    chart = page.get_by_role("img", name="Lösungsquote der 1. Ebene nach Monat")
    expect(chart).to_be_visible()
    assert rendered_font_px(page) >= 11
    assert no_sideways_scrolling(page)
    screenshot(page, "admin-start-phone")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    context.close()


def test_the_chart_on_a_wide_screen_and_in_the_evaluation_report(browser, live_app, admin):
    context = browser.new_context(
        base_url=live_app.config["LIVE_URL"], locale="de-DE", viewport=DESKTOP
    )
    page = context.new_page()
    log_in(page, admin)
    page.goto("/admin/")
    assert 11 <= rendered_font_px(page) <= 18
    screenshot(page, "admin-start-desktop")
    page.get_by_role("link", name="Evaluationsbericht (Druck)").click()
    expect(page.get_by_role("img", name="Lösungsquote der 1. Ebene nach Monat")).to_be_visible()
    screenshot(page, "evaluation-chart")
    page.emulate_media(media="print")
    box = page.locator("figure.chart-trend").bounding_box()
    assert box["height"] < 700  # a printed page holds it whole (break-inside: avoid)
    context.close()
