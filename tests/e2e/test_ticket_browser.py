"""A teacher reports from a phone with a photo; the manager resolves; the teacher confirms."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from campus.extensions import db
from campus.models import Device
from tests.e2e.conftest import log_in, screenshot
from tests.tickets_helpers import png_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture
def devices(live_app, people):
    with live_app.app_context():
        for n, (model, room) in enumerate(
            [("Epson EB-695Wi", "A 101"), ("iPad 10", "B 113"), ("Kyocera M3655", "Lehrerzimmer")]
        ):
            db.session.add(
                Device(
                    school_id=people.school_id,
                    room=room,
                    type="other",
                    model=model,
                    inventory_number=f"HHG-{n:04d}",
                )
            )
        db.session.commit()
    return {"teacher": people.teacher, "manager": people.manager}


def browser_as(browser, live_app, email, phone=False):
    options = {"base_url": live_app.config["LIVE_URL"], "locale": "de-DE"}
    if phone:
        options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context = browser.new_context(**options)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    log_in(page, email)
    return page


def test_report_resolve_confirm_across_roles(browser, live_app, devices, tmp_path):
    photo = tmp_path / "beamer.png"
    photo.write_bytes(png_bytes(40, 30))

    teacher = browser_as(browser, live_app, devices["teacher"], phone=True)
    teacher.locator("#content").get_by_role("link", name="Problem melden").click()
    teacher.get_by_label("Beamer / Display").check()
    teacher.get_by_label("Unterricht nicht möglich").check()
    teacher.get_by_placeholder("Inventarnummer oder Modell suchen").fill("epson")
    assert teacher.get_by_label("Gerät", exact=True).input_value() != ""  # the match is picked
    teacher.get_by_label("Titel").fill("Beamer zeigt kein Bild")
    teacher.get_by_label("Was passiert?").fill("Kein Signal über HDMI.")
    teacher.get_by_label("Fotos (optional)").set_input_files(str(photo))
    teacher.get_by_role("button", name="Meldung senden").click()
    teacher.get_by_text("wurde an Ihre").wait_for()
    image = teacher.get_by_role("img", name="Foto 1 der Meldung")
    expect(image).to_have_js_property("naturalWidth", 40)  # the photo really loads
    screenshot(teacher, "teacher-ticket-phone")
    ticket_url = teacher.url

    manager = browser_as(browser, live_app, devices["manager"])
    manager.get_by_role("link", name="Beamer zeigt kein Bild").click()
    expect(manager.locator("aside").get_by_text("HHG-0000")).to_be_visible()
    manager.get_by_role("button", name="Übernehmen").click()
    manager.get_by_text("Lösen", exact=True).first.click()  # open the section
    manager.locator("#resolve-text").fill("HDMI-Kabel am Wandanschluss getauscht.")
    manager.get_by_role("button", name="Lösen").click()
    expect(manager.get_by_text("Gelöst", exact=True).first).to_be_visible()
    screenshot(manager, "manager-ticket")

    teacher.goto(ticket_url)
    # The solution sits next to her answer buttons.
    panel = teacher.locator("#confirm-solution")
    expect(panel.locator("#solution")).to_have_text("HDMI-Kabel am Wandanschluss getauscht.")
    panel.get_by_role("button", name="Ja, gelöst").click()
    expect(teacher.get_by_text("Geschlossen", exact=True).first).to_be_visible()
    assert teacher.console_errors == [] and manager.console_errors == []


def test_ticket_pages_have_no_serious_accessibility_violations(browser, live_app, devices):
    teacher = browser_as(browser, live_app, devices["teacher"])
    teacher.goto("/tickets/new")
    teacher.get_by_role("button", name="Meldung senden").click()  # with its errors shown
    pages = [teacher]
    teacher2 = browser_as(browser, live_app, devices["teacher"])
    teacher2.goto("/tickets/new")
    teacher2.get_by_label("Drucker").check()
    teacher2.get_by_label("Titel").fill("Drucker")
    teacher2.get_by_label("Was passiert?").fill("Leer")
    teacher2.get_by_role("button", name="Meldung senden").click()
    pages.append(teacher2)
    manager = browser_as(browser, live_app, devices["manager"])
    manager.goto(teacher2.url)
    pages.append(manager)
    queue = browser_as(browser, live_app, devices["manager"])
    queue.goto("/tickets/")
    pages.append(queue)
    for page in pages:
        results = Axe().run(page)
        serious = [
            v for v in results.response["violations"] if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], (page.url, results.generate_report())
