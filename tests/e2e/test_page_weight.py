"""Light pages (issue 15): each role's main pages carry at most 80 KB of CSS and JavaScript
over the wire (compressed, headers included), and a second visit takes them from the
browser's cache. Measured with Chromium's own network events, on the demo data."""

import json
import re

import pytest
from flask import request
from playwright.sync_api import expect

from campus.demo import DEMO_PASSWORD
from tests.e2e.conftest import ARTIFACTS, demo_app, log_in, served

pytestmark = pytest.mark.e2e

BUDGET = 80 * 1024
ASSET_TYPES = {"Stylesheet", "Script"}
TICKET = re.compile(r"/tickets/[0-9]+$")
# Each role's main pages; "ticket" is the first ticket linked from the page before it.
MAIN_PAGES = {
    "teacher@demo.test": ["/", "ticket", "/tickets/new"],
    "manager@demo.test": ["/", "ticket", "/reports/", "/devices/", "/today"],
    "systemhouse@demo.test": ["/", "ticket"],
    "admin@demo.test": ["/", "/tickets/", "ticket", "/reports/"],
}
measured: dict[str, dict[str, int]] = {}


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo served in a thread; it notes each static file it sends."""
    app = demo_app(tmp_path_factory.mktemp("page-weight"))
    sent = []

    @app.after_request
    def _note(response):
        if request.endpoint in app.extensions["campus_static_endpoints"]:
            sent.append((request.path, response.status_code))
        return response

    app.config["STATIC_SENT"] = sent
    with served(app):
        yield app
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weight.json").write_text(json.dumps(measured, indent=2))


class Network:
    """CSS and JavaScript the page fetched, from the DevTools protocol's network events:
    bytes received (encodedDataLength: compressed body and headers) per request."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.types: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.received: dict[str, int] = {}
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")

    def _response(self, event):
        self.types[event["requestId"]] = event["type"]
        self.urls[event["requestId"]] = event["response"]["url"]

    def _finished(self, event):
        self.received[event["requestId"]] = event["encodedDataLength"]

    def start(self, cold: bool) -> None:
        if cold:
            self.cdp.send("Network.clearBrowserCache")
        self.types.clear()
        self.urls.clear()
        self.received.clear()

    def assets(self) -> dict[str, int]:
        return {
            self.urls[rid]: size
            for rid, size in self.received.items()
            if self.types.get(rid) in ASSET_TYPES
        }


def _open(page, path: str) -> str:
    """Open `path`, or for "ticket" the first ticket linked from the previous page."""
    if path == "ticket":
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.pathname)")
        path = next(h for h in hrefs if TICKET.search(h))
    response = page.goto(path)
    assert response is not None and response.ok, (path, response and response.status)
    page.wait_for_load_state("networkidle")
    return page.url


@pytest.mark.parametrize("email", list(MAIN_PAGES))
def test_main_pages_stay_within_the_budget_and_come_from_the_cache_again(browser, demo_site, email):
    context = browser.new_context(base_url=demo_site.config["LIVE_URL"], locale="de-DE")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    log_in(page, email, DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Abmelden")).to_be_attached()
    network = Network(page)
    sent = demo_site.config["STATIC_SENT"]
    for path in MAIN_PAGES[email]:
        network.start(cold=True)  # the first visit: an empty cache
        url = _open(page, path)
        assets = network.assets()
        total = sum(assets.values())
        measured.setdefault(email, {})[url.removeprefix(demo_site.config["LIVE_URL"])] = total
        assert assets, f"{page.url}: no CSS or JavaScript seen"
        assert total <= BUDGET, f"{page.url}: {total} bytes of CSS and JS: {assets}"

        # the same page again: its CSS and JS come from the browser's cache, unasked
        network.start(cold=False)
        del sent[:]
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert sent == [], f"{page.url}: static files asked for again: {sent}"
        again = network.assets()
        assert again and sum(again.values()) == 0, f"{page.url}: second visit: {again}"
    assert errors == [], errors
    context.close()


KEPT_ASSETS = """async () => {
  const cache = await caches.open('campus-day-v1');
  const wanted = Array.from(document.querySelectorAll('link[href], script[src]'),
                            e => new URL(e.href || e.src).pathname);
  const kept = (await cache.keys()).map(r => new URL(r.url).pathname);
  if (!wanted.every(p => kept.includes(p))) return false;
  const css = wanted.find(p => /bootstrap\\.min\\.[0-9a-f]{12}\\.css$/.test(p));
  const hit = css && (await cache.match(css));
  const text = hit ? await hit.text() : '';
  return text.includes('.navbar-collapse');
}"""


def test_the_day_plans_offline_copy_keeps_the_hashed_assets(browser, demo_site):
    """The service worker keeps the day plan's CSS and JS under their hashed names, and
    readable (they went out compressed); the menu folds out and back on a phone."""
    context = browser.new_context(
        base_url=demo_site.config["LIVE_URL"],
        locale="de-DE",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    log_in(page, "manager@demo.test", DEMO_PASSWORD)
    page.goto("/today")
    linked = page.eval_on_selector_all(
        "link[href], script[src]", "found => found.map(e => new URL(e.href || e.src).pathname)"
    )
    page.wait_for_function(KEPT_ASSETS, timeout=15000)
    assert any(re.search(r"/collapse\.[0-9a-f]{12}\.js$", p) for p in linked), linked
    assert any(re.search(r"/campus\.[0-9a-f]{12}\.css$", p) for p in linked), linked

    menu = page.locator("#nav")
    expect(menu).to_be_hidden()  # folded away on a phone
    page.get_by_role("button", name="Menü").click()
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    expect(page.get_by_role("button", name="Menü")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Heute", exact=True)).to_be_visible()
    page.get_by_role("button", name="Menü").click()
    expect(menu).to_be_hidden()
    expect(page.get_by_role("button", name="Menü")).to_have_attribute("aria-expanded", "false")
    assert errors == [], errors
    context.close()
