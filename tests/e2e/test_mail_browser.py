"""Links from mails, clicked on a phone: the "not solved" answer without logging in, and a
forgotten password set anew."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from campus.extensions import db
from campus.models import Mail, Ticket, User
from campus.tickets import services
from campus.tickets.filing import report_ticket
from campus.unit_of_work import work
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def phone(browser, live_app):
    context = browser.new_context(base_url=live_app.config["LIVE_URL"], locale="de-DE", **PHONE)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    return page


def link_in(mail_text: str, part: str) -> str:
    return next(link for link in re.findall(r"https?://\S+", mail_text) if part in link)


def test_not_solved_from_the_mail_on_a_phone(browser, live_app, people):
    live_app.config["BASE_URL"] = live_app.config["LIVE_URL"]
    with live_app.app_context():
        teacher = db.session.scalar(select(User).where(User.email == people.teacher))
        manager = db.session.scalar(select(User).where(User.email == people.manager))
        with work():
            ticket = report_ticket(
                teacher,
                title="Beamer flackert",
                description="Seit Montag.",
                category="projector_display",
                impact="impaired",
                room="A 101",
            )
        with work():
            services.resolve(manager, db.session.get(Ticket, ticket.id), "Kabel getauscht.")
        mail = db.session.scalar(select(Mail).where(Mail.kind == "resolved"))
        assert mail.to_address == people.teacher
        link = link_in(mail.text, "/not-solved")
        ticket_id = ticket.id

    page = phone(browser, live_app)
    page.goto(link)
    expect(page.get_by_role("heading", name=re.compile("Beamer flackert"))).to_be_visible()
    screenshot(page, "mail-not-solved-phone")
    assert Axe().run(page).violations_count == 0
    page.get_by_label("Was funktioniert noch nicht?").fill("Flackert wieder.")
    page.get_by_role("button", name="Senden: nicht gelöst").click()
    expect(page.get_by_text("Danke!")).to_be_visible()
    with live_app.app_context():
        reopened = db.session.get(Ticket, ticket_id)
        assert reopened.status in ("in_progress", "new")
        assert reopened.events[-1].text == "Flackert wieder."
    assert page.console_errors == []
    page.goto(link)  # spent (410 Gone)
    expect(page.get_by_role("heading", name="Dieser Link gilt nicht mehr")).to_be_visible()


def test_forgotten_password_set_anew_from_the_mail(browser, live_app, people):
    live_app.config["BASE_URL"] = live_app.config["LIVE_URL"]
    page = phone(browser, live_app)
    page.goto("/auth/login")
    page.get_by_role("link", name="Passwort vergessen?").click()
    page.get_by_label("E-Mail").fill(people.teacher.upper())
    page.get_by_role("button", name="Link senden").click()
    expect(page.get_by_text("Falls es ein Konto mit dieser Adresse gibt")).to_be_visible()
    with live_app.app_context():
        mail = db.session.scalar(select(Mail).where(Mail.kind == "password_reset"))
        link = link_in(mail.text, "/auth/password/reset/")
    page.goto(link)
    page.get_by_label("Neues Passwort", exact=True).fill("ein-ganz-neues-passwort")
    page.get_by_label("Neues Passwort wiederholen").fill("ein-ganz-neues-passwort")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_text("Ihr Passwort ist gesetzt")).to_be_visible()
    screenshot(page, "mail-password-set-phone")
    log_in(page, people.teacher, "ein-ganz-neues-passwort")
    expect(page.get_by_role("heading", name="Meine Tickets")).to_be_visible()
    assert page.console_errors == []


def test_a_manager_chooses_which_mails_on_a_phone(browser, live_app, people):
    page = phone(browser, live_app)
    log_in(page, people.manager)
    page.goto("/auth/notifications")
    expect(page.get_by_role("heading", name="Benachrichtigungen per E-Mail")).to_be_visible()
    group = page.get_by_role("group", name="Andere neue Meldungen an Ihren Schulen")
    expect(group.get_by_label("In der Zusammenfassung")).to_be_checked()  # the default
    group.get_by_label("Sofort").check()
    page.get_by_label("Zeiten der Zusammenfassung").fill("06:45, 12:15")
    screenshot(page, "mail-notifications-phone")
    assert Axe().run(page).violations_count == 0
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Ihre Auswahl wurde gespeichert.")).to_be_visible()
    expect(group.get_by_label("Sofort")).to_be_checked()
    expect(page.get_by_label("Zeiten der Zusammenfassung")).to_have_value("06:45, 12:15")
    assert page.console_errors == []
