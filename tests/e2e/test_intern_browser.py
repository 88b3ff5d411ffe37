"""A pupil intern's day in a real browser, on a phone: her start page with today's plan, a
ticket handed over to the interns, taken on, a solution proposed; her supervisor, on a
desktop, approves it, and the teacher reads the solution."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from campus.admin.services import save_campus, save_school, save_user, system_actor
from campus.extensions import db
from campus.interns.plan import add_entry
from campus.interns.services import create_internship
from campus.models import Category, Impact, Role
from campus.reports.period import today_in_berlin
from campus.tickets import intern_work
from campus.tickets.filing import report_ticket
from tests.e2e.conftest import E2E_PASSWORD, log_in, screenshot

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def setting(live_app):
    with live_app.app_context():
        actor = system_actor()
        campus = save_campus(actor, "Campus Nord")
        school = save_school(
            actor, name="Gesamtschule Nord", short_name="GE Nord", school_number="170002",
            address="", campus_id=campus.id,
        )  # fmt: skip
        people = {}
        for email, name, role, extra in (
            ("l@example.org", "Lena Lehrerin", Role.TEACHER, {"school_id": school.id}),
            ("m@example.org", "Mia Manager", Role.CAMPUS_MANAGER, {"campus_ids": [campus.id]}),
            ("a@example.org", "Ada Admin", Role.ADMIN, {}),
        ):
            people[role] = save_user(
                actor, email=email, display_name=name, role=role, password=E2E_PASSWORD, **extra
            )
        db.session.flush()
        today = today_in_berlin()
        internship = create_internship(
            people[Role.ADMIN], email="pia@example.org", display_name="Pia Praktikantin",
            starts_on=today, ends_on=today + timedelta(days=9),
            supervisor_id=people[Role.CAMPUS_MANAGER].id,
        )  # fmt: skip
        internship.intern.set_password(E2E_PASSWORD)
        add_entry(
            people[Role.CAMPUS_MANAGER], internship, day=today, part="1_morning",
            kind="tablets", school_id=school.id,
        )  # fmt: skip
        ticket = report_ticket(
            people[Role.TEACHER], title="Tablet 7b-12 ohne WLAN", description="Keine Anmeldung.",
            category=Category.NETWORK_WIFI, impact=Impact.IMPAIRED, room="B 12",
        )  # fmt: skip
        intern_work.hand_over(people[Role.CAMPUS_MANAGER], ticket)
        db.session.commit()
        return ticket.id


def test_an_intern_proposes_and_her_supervisor_approves(browser, live_app, setting):
    ticket_id = setting
    base = live_app.config["LIVE_URL"]
    phone = browser.new_context(base_url=base, locale="de-DE", viewport=PHONE)
    pia = phone.new_page()
    log_in(pia, "pia@example.org")
    expect(pia.locator("#intern-banner")).to_be_visible()
    expect(pia.get_by_role("heading", name="Heute", exact=False)).to_be_visible()
    expect(pia.get_by_text("Tablets einrichten")).to_be_visible()
    screenshot(pia, "intern-home-phone")
    pia.get_by_role("link", name="Tablet 7b-12 ohne WLAN").click()
    pia.get_by_role("button", name="Als Praktikant*in übernehmen").click()
    expect(pia.get_by_text("Sie haben das Ticket übernommen.")).to_be_visible()
    pia.get_by_text("Lösung vorschlagen").first.click()
    pia.locator("#propose-text").fill("WLAN-Profil gelöscht und neu eingerichtet.")
    pia.get_by_role("button", name="Lösung vorschlagen").click()
    expect(pia.get_by_text("Ihr Lösungsvorschlag wartet auf Ihre Betreuung.")).to_be_visible()
    screenshot(pia, "intern-ticket-phone")
    # Nothing resolved yet: the supervisor approves on her desktop.
    desk = browser.new_context(base_url=base, locale="de-DE")
    mia = desk.new_page()
    log_in(mia, "m@example.org")
    mia.goto(f"/tickets/{ticket_id}")
    expect(mia.locator("#proposal")).to_contain_text("WLAN-Profil gelöscht")
    mia.get_by_role("button", name="Lösungsvorschlag freigeben").click()
    expect(mia.get_by_text("Der Lösungsvorschlag ist freigegeben")).to_be_visible()
    lena = browser.new_context(base_url=base, locale="de-DE", viewport=PHONE).new_page()
    log_in(lena, "l@example.org")
    lena.goto(f"/tickets/{ticket_id}")
    expect(lena.locator("#solution")).to_have_text("WLAN-Profil gelöscht und neu eingerichtet.")
    for context in (phone, desk, lena.context):
        context.close()
