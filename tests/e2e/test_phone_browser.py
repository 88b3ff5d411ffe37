"""Each role's main path on a phone (390 by 844) and a notebook (1280 by 900), on the demo
data: no page scrolls sideways, axe-core finds no serious violation, the queue is a card
per ticket on the phone, and the teacher's and manager's main steps work there."""

import re
from contextlib import contextmanager

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import func, select

from campus.demo import DEMO_PASSWORD
from campus.extensions import db
from campus.models import ArticleUse, Ticket, TicketStatus, UseKind, User
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
NOTEBOOK = {"width": 1280, "height": 900}
TICKET = re.compile(r"^/tickets/[0-9]+$")
# Each role's main pages; "ticket" is the first ticket linked from the page before it.
MAIN_PAGES = {
    "teacher": ["/tickets/mine", "ticket", "/tickets/new"],
    "manager": ["/today", "/tickets/", "ticket", "/devices/", "/reports/", "/timetable"],
    "systemhouse": ["/tickets/", "ticket", "/devices/"],
    "admin": ["/admin/", "/tickets/", "ticket", "/reports/", "/reports/evaluation"],
}


@contextmanager
def signed_in(browser, demo_live, who: str, viewport=PHONE):
    """A fresh browser context of the given size, logged in as a demo user."""
    context = browser.new_context(
        base_url=demo_live.config["LIVE_URL"], locale="de-DE", viewport=viewport
    )
    page = context.new_page()
    try:
        page.goto("/auth/login")
        page.get_by_label("E-Mail").fill(f"{who}@demo.test")
        page.get_by_label("Passwort").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(lambda url: "/auth/login" not in url)
        yield page
    finally:
        context.close()


def _serious(page) -> list:
    results = Axe().run(page)
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("size", ["phone", "notebook"])
@pytest.mark.parametrize("who", list(MAIN_PAGES))
def test_main_pages_fit_the_screen_and_pass_axe(browser, demo_live, who, size):
    with signed_in(browser, demo_live, who, PHONE if size == "phone" else NOTEBOOK) as page:
        for path in MAIN_PAGES[who]:
            if path == "ticket":
                hrefs = page.eval_on_selector_all("a[href]", "ls => ls.map(a => a.pathname)")
                path = next(h for h in hrefs if TICKET.match(h))
            response = page.goto(path)
            assert response is not None and response.ok, (path, response and response.status)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                screenshot(page, f"sideways-{who}-{size}")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at {size} size"
            assert _serious(page) == [], path


def test_the_queue_is_a_card_per_ticket_on_a_phone(browser, demo_live):
    with signed_in(browser, demo_live, "manager", PHONE) as page:
        page.goto("/tickets/")
        cards = page.locator("table.ticket-list tbody tr")
        first = cards.first.bounding_box()
        assert first is not None
        assert first["width"] <= PHONE["width"] and first["y"] < PHONE["height"] * 0.6
        # The card says number, title, school and room, impact, age, status and who has it.
        for cell in ("c-number", "c-title", "c-where", "c-impact", "c-age", "c-status"):
            expect(cards.first.locator(f".{cell}")).to_be_visible()
        expect(cards.first.locator(".c-assignee")).to_contain_text(re.compile(r"\w"))
        # The filters are folded away; opened, a chosen one becomes a chip.
        expect(page.get_by_label("Auswirkung")).to_be_hidden()
        page.get_by_text("Filtern und sortieren").click()
        page.get_by_label("Auswirkung").select_option("blocking")
        page.get_by_role("button", name="Anwenden").click()
        chip = page.locator(".filter-chips .chip", has_text="Unterricht nicht möglich")
        expect(chip).to_be_visible()
        for impact in page.locator("table.ticket-list tbody .c-impact").all_inner_texts():
            assert impact.strip() == "Unterricht nicht möglich"
        chip.click()
        expect(
            page.locator(".filter-chips .chip", has_text="Unterricht nicht möglich")
        ).to_have_count(0)
        # A tap anywhere on a card opens its ticket.
        title = cards.first.locator(".c-title a").inner_text()
        box = cards.first.bounding_box()
        page.mouse.click(box["x"] + box["width"] - 10, box["y"] + box["height"] - 8)
        expect(page.get_by_role("heading", level=1)).to_contain_text(title)


def test_the_teacher_confirms_a_solution_on_her_phone(browser, demo_live):
    with signed_in(browser, demo_live, "teacher", PHONE) as page:
        page.goto("/tickets/mine")
        waiting = page.locator("#needs-you a", has_text="Gelöst – bitte bestätigen").first
        expect(waiting).to_be_visible()
        waiting.click()
        panel = page.locator("#confirm-solution")
        expect(panel).to_be_visible()
        expect(panel.locator("#close-rule")).to_contain_text("7 Tage")
        # The solution and both answers are on the first screen.
        yes = panel.get_by_role("button", name="Ja, gelöst")
        assert yes.bounding_box()["y"] < PHONE["height"]
        expect(panel.get_by_text("Besteht weiter")).to_be_visible()
        yes.click()
        expect(page.get_by_role("status").first).to_contain_text("Danke")
        expect(page.locator("#confirm-solution")).to_have_count(0)


def test_the_duplicate_warning_follows_the_chosen_device(browser, demo_live):
    with signed_in(browser, demo_live, "teacher", PHONE) as page:
        page.goto("/tickets/new")
        warned = page.eval_on_selector_all(
            "[data-for-device]", "boxes => boxes.map(b => b.dataset.forDevice)"
        )
        assert warned, "the demo teacher's school has a device with an open ticket"
        expect(page.locator("[data-for-device]:visible")).to_have_count(0)
        page.locator("#device_id").select_option(warned[0])
        box = page.locator(f'[data-for-device="{warned[0]}"]')
        expect(box).to_be_visible()
        expect(box).to_contain_text("Für dieses Gerät ist schon #")
        page.locator("#device_id").select_option("")
        expect(box).to_be_hidden()


def _self_help_count(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(ArticleUse).where(ArticleUse.kind == UseKind.SELF_HELP)
        )


def _ticket_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Ticket))


def _open_ticket(app, title: str, who: str) -> int:
    """An open ticket of that title at the demo login's campus."""
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == f"{who}@demo.test"))
        return db.session.scalar(
            select(Ticket.id)
            .where(
                Ticket.title == title,
                Ticket.campus_id.in_(manager.campus_ids),
                Ticket.status.in_([TicketStatus.NEW, TicketStatus.IN_PROGRESS]),
            )
            .order_by(Ticket.id)
            .limit(1)
        )


def test_the_teacher_helps_herself_while_reporting(browser, demo_live):
    before, tickets = _self_help_count(demo_live), _ticket_count(demo_live)
    with signed_in(browser, demo_live, "teacher", PHONE) as page:
        page.goto("/tickets/new")
        page.locator("#title").press_sequentially("Beamer zeigt kein Bild", delay=20)
        suggestion = page.locator("#suggestions summary", has_text="Kein Bild am Beamer")
        expect(suggestion).to_be_visible()
        suggestion.click()
        expect(page.locator("#suggestions").get_by_text("Windows+P")).to_be_visible()
        helped = page.locator("#suggestions .suggestion").filter(has_text="Kein Bild am Beamer")
        helped.get_by_role("button", name="Das hat geholfen").click()
        page.wait_for_url("**/tickets/mine")
        expect(page.get_by_role("status").first).to_contain_text("kein Ticket")
    assert _self_help_count(demo_live) == before + 1
    assert _ticket_count(demo_live) == tickets


def test_the_manager_marks_an_article_that_helped(browser, demo_live):
    with signed_in(browser, demo_live, "manager", NOTEBOOK) as page:
        page.goto(f"/tickets/{_open_ticket(demo_live, 'iPad startet nicht mehr', 'manager')}")
        panel = page.locator("#ticket-articles")
        expect(panel).to_contain_text("iPad startet nicht mehr oder hängt beim Apfel-Logo")
        panel.get_by_role("button", name="Hat geholfen").first.click()
        expect(page.get_by_role("status").first).to_contain_text("hat bei diesem Ticket geholfen")
        expect(page.locator("#ticket-articles")).to_contain_text("Hat hier geholfen")


def test_the_teacher_answers_the_survey_in_two_taps(browser, demo_live):
    with signed_in(browser, demo_live, "teacher", PHONE) as page:
        page.goto("/tickets/mine")
        card = page.locator("#survey")
        expect(card).to_contain_text("Digitaler Unterricht")
        card.locator("label[for$='-4']").first.click()
        card.locator("label[for$='-5']").nth(1).click()
        card.get_by_role("button", name="Senden").click()
        expect(page.get_by_role("status").first).to_be_visible()
        expect(page.locator("#survey")).to_have_count(0)
        page.reload()
        expect(page.locator("#survey")).to_have_count(0)  # asked once
