"""The manager's day on a phone: today's school with its tickets (blocking first), "on site
now", and the plan and its tickets still readable after the network goes away."""

import re
from datetime import datetime, time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from campus.extensions import db
from campus.models import Category, Device, DeviceStatus, Impact, User, Visit
from campus.tickets.filing import report_ticket
from campus.timetable.schedule import BERLIN
from campus.unit_of_work import work
from tests.e2e.conftest import screenshot
from tests.e2e.test_ticket_browser import browser_as

pytestmark = pytest.mark.e2e


@pytest.fixture
def today_at_school(live_app, people):
    """The manager visits the school all day today; two tickets and a device in repair."""
    with live_app.app_context():
        manager = db.session.scalar(db.select(User).where(User.email == people.manager))
        teacher = db.session.scalar(db.select(User).where(User.email == people.teacher))
        today = datetime.now(BERLIN).date()
        db.session.add(
            Visit(
                manager_id=manager.id,
                school_id=people.school_id,
                weekday=today.weekday(),
                starts=time(0, 0),
                ends=time(23, 59),
            )
        )
        db.session.add(
            Device(
                school_id=people.school_id,
                room="B 113",
                type="tablet",
                model="iPad 10",
                inventory_number="HHG-TAB-0007",
                status=DeviceStatus.IN_REPAIR,
            )
        )
        numbers = {}
        for title, impact in (
            ("Drucker druckt blass", Impact.MINOR),
            ("Beamer zeigt kein Bild", Impact.BLOCKING),
        ):
            with work():
                ticket = report_ticket(
                    teacher,
                    title=title,
                    description="Seit der zweiten Stunde.",
                    category=Category.OTHER,
                    impact=impact,
                    room="A 101",
                )
                numbers[title] = ticket.id
        db.session.commit()
    return numbers


@pytest.fixture
def phone(browser, live_app, people):
    """The manager's phone, logged in; closed before the server stops, so that the
    service worker's fetches in the background end with the test."""
    page = browser_as(browser, live_app, people.manager, phone=True)
    yield page
    page.context.close()


def test_the_day_plan_on_a_phone_also_offline(phone, live_app, people, today_at_school):
    page = phone
    page.get_by_role("button", name="Menü").click()
    expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))  # unfolded
    page.get_by_role("link", name="Heute", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Helmholtz-Gymnasium"))).to_be_visible()
    stop = page.locator("section.stop")
    titles = stop.locator("li.list-group-item a").all_inner_texts()
    assert "Beamer zeigt kein Bild" in titles[0] and "Drucker druckt blass" in titles[1]
    expect(stop.get_by_text("HHG-TAB-0007")).to_be_visible()  # bring back from repair
    expect(page.get_by_text("Stand:")).to_be_visible()
    # the service worker took the plan and its tickets
    page.wait_for_function(
        "async () => { const c = await caches.open('campus-day-v1');"
        " return (await c.keys()).length >= 3; }",
        timeout=15000,
    )
    stop.get_by_role("button", name="Jetzt vor Ort").click()
    expect(page.get_by_text("Gespeichert: Sie sind vor Ort.")).to_be_visible()
    expect(stop.get_by_text("Vor Ort seit")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    screenshot(page, "day-plan-phone")

    # in the cellar: no network
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("Helmholtz-Gymnasium"))).to_be_visible()
    expect(page.get_by_text("Offline: Das ist der zuletzt geladene Stand.")).to_be_visible()
    expect(page.get_by_text("Vor Ort seit")).to_be_visible()  # the copy after "on site now"
    page.get_by_role("link", name="Beamer zeigt kein Bild").click()
    expect(page.get_by_role("heading", name="Beamer zeigt kein Bild")).to_be_visible()
    expect(page.get_by_text("Seit der zweiten Stunde.")).to_be_visible()
    screenshot(page, "day-plan-offline-ticket")
    page.context.set_offline(False)
    assert page.console_errors == [], page.console_errors


def test_logging_out_clears_the_offline_copy(phone, live_app, today_at_school):
    page = phone
    page.goto("/today")
    page.wait_for_function(
        "async () => (await (await caches.open('campus-day-v1')).keys()).length >= 1",
        timeout=15000,
    )
    page.get_by_role("button", name="Menü").click()
    expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))  # unfolded
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(f"{live_app.config['LIVE_URL']}/auth/login")
    assert page.evaluate("async () => (await caches.keys()).length") == 0
    page.context.set_offline(True)
    response = None
    try:
        response = page.goto("/today")
    except Exception:
        response = None
    assert response is None or "Helmholtz-Gymnasium" not in page.content()
    page.context.set_offline(False)


def test_a_session_that_ends_takes_the_offline_copy_along(phone, today_at_school):
    """No logout pressed: the session simply ended (cookies gone). The next page the phone
    loads online is the login page, and the kept plan goes with it."""
    page = phone
    page.goto("/today")
    page.wait_for_function(
        "async () => (await (await caches.open('campus-day-v1')).keys()).length >= 3",
        timeout=15000,
    )
    page.context.clear_cookies()
    page.goto("/today")
    expect(page).to_have_url(re.compile("/auth/login"))
    page.wait_for_function("async () => (await caches.keys()).length === 0", timeout=15000)
