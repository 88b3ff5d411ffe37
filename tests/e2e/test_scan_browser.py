"""A teacher scans a device sticker with the phone: log in, report, done."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from campus.extensions import db
from campus.models import Device
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def sticker(live_app, people):
    with live_app.app_context():
        device = Device(
            school_id=people.school_id,
            type="display_projector",
            inventory_number="HHG-BEA-0007",
            model="Epson EB-695Wi",
            room="B 113",
        )
        db.session.add(device)
        db.session.commit()
        return f"/d/{device.token}"


def test_scan_log_in_and_report_in_seconds(browser, live_app, sticker):
    context = browser.new_context(
        base_url=live_app.config["LIVE_URL"],
        locale="de-DE",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        bypass_csp=False,
    )
    page = context.new_page()
    page.goto(sticker)
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    log_in(page, "l@example.org")
    expect(page.get_by_role("heading", name="Problem melden")).to_be_visible()
    assert page.get_by_label("Raum").input_value() == "B 113"
    device = page.get_by_label("Gerät", exact=True)
    assert "HHG-BEA-0007" in device.locator("option:checked").inner_text()
    page.get_by_label("Beamer / Display").check()
    page.get_by_label("Unterricht nicht möglich").check()
    page.get_by_label("Titel").fill("Kein Bild")
    page.get_by_label("Was passiert?").fill("Beamer bleibt schwarz.")
    screenshot(page, "scan-report-phone")
    page.get_by_role("button", name="Meldung senden").click()
    # On the phone, where and which device come first, under the title.
    expect(page.locator("#where")).to_contain_text("HHG-BEA-0007")
    context.close()

    audit = browser.new_context(
        base_url=live_app.config["LIVE_URL"], locale="de-DE", bypass_csp=True
    )
    page = audit.new_page()
    log_in(page, "l@example.org")
    page.goto("/devices/")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    audit.close()
