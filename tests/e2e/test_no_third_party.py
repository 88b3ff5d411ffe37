"""No request ever leaves the server (issue 17; German schools may not let a page ask a
third party, as the Munich ruling on web fonts showed): every main page of every role and
the pages before logging in load fonts, images, scripts, styles and everything else from
the Campus server only, name no other server to preload or prefetch, send a
Content-Security-Policy that allows this server only, and report no CSP violation.

All browser checks of this kind live in this one module: the demo loads once for it."""

import re
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_phone_browser import (
    MAIN_PAGES,
    NOTEBOOK,
    PHONE,
    TICKET,
    _serious,
    signed_in,
)
from tests.tickets_helpers import png_bytes

pytestmark = pytest.mark.e2e

TICKET_URL = re.compile(r".*/tickets/[0-9]+$")
# Pages reached by a link on the page before: the first link of that form there.
LINKED = {
    "ticket": TICKET,
    "article": re.compile(r"^/articles/[0-9]+$"),
    "device": re.compile(r"^/devices/[0-9]+$"),
    "rooms": re.compile(r"^/devices/rooms\?school=[0-9]+$"),
}
# Each role's main pages (test_phone_browser.py's, and the rest of what the menus reach);
# the names in LINKED stand for the first such link on the page before, "school" for the
# inventory of the first school chosen on the one before.
PAGES = {
    "teacher": [
        *MAIN_PAGES["teacher"],
        "/devices/",
        "/articles/",
        "article",
        "/auth/password",
        "/auth/notifications",
        "/auth/tokens",
        "/login/sso/account",
        "/datenschutz",
    ],
    "manager": [
        *MAIN_PAGES["manager"],
        "/reports/evaluation",
        "/internships",
        "/internships/1",
        "/devices/",
        "device",
        "/devices/",
        "school",
        "rooms",
        "/articles/",
        "article",
        "/auth/notifications",
        "/datenschutz",
    ],
    "systemhouse": [*MAIN_PAGES["systemhouse"], "/articles/", "article", "/datenschutz"],
    "admin": [
        *MAIN_PAGES["admin"],
        "/admin/campuses",
        "/admin/schools",
        "/admin/users",
        "/admin/users/new",
        "/admin/users/import",
        "/admin/audit",
        "/admin/mails",
        "/admin/report-settings",
        "/admin/surveys",
        "/admin/privacy",
        "/admin/sign-in",
        "/admin/webhooks",
        "/devices/",
        "/timetable",
        "/timetable/holidays",
        "/articles/",
        "article",
        "/internships",
        "/datenschutz",
    ],
    "intern": ["/", "/internships/1", "/tickets/", "ticket", "/datenschutz"],
}
LOGGED_OUT = ["/auth/login", "/auth/password/forgot", "/datenschutz"]

# Every URL the page's markup and style sheets would make the browser fetch or contact:
# sources, links of any rel (stylesheet, icon, preload, prefetch, dns-prefetch,
# preconnect, manifest), srcset, posters, objects, form targets, and url() and @import
# in the style sheets (fonts, backgrounds). Anchors are left out: a link is not a request.
# And what would need the policy to allow inline code: <script> without src, <style>.
REFERENCES_JS = """() => {
  const urls = [], inline = [];
  const add = (url, what) => { if (url) urls.push([new URL(url, document.baseURI).href, what]); };
  document.querySelectorAll("[src]").forEach(e => add(e.getAttribute("src"), e.tagName + " src"));
  document.querySelectorAll("link[href]")
    .forEach(e => add(e.getAttribute("href"), "link " + e.rel));
  document.querySelectorAll("[srcset]").forEach(e => e.getAttribute("srcset").split(",")
    .forEach(part => add(part.trim().split(/\\s+/)[0], e.tagName + " srcset")));
  document.querySelectorAll("[poster]").forEach(e => add(e.getAttribute("poster"), "poster"));
  document.querySelectorAll("object[data]").forEach(e => add(e.getAttribute("data"), "object"));
  document.querySelectorAll("form[action]").forEach(e => add(e.getAttribute("action"), "form"));
  document.querySelectorAll("script:not([src])")
    .forEach(e => inline.push("script: " + e.text.slice(0, 60)));
  document.querySelectorAll("style")
    .forEach(e => inline.push("style: " + e.textContent.slice(0, 60)));
  for (const sheet of document.styleSheets) {
    let rules;
    try { rules = sheet.cssRules; } catch (e) {
      urls.push([String(sheet.href), "unreadable sheet"]);
      continue;
    }
    const base = sheet.href || document.baseURI;
    for (const rule of rules) {
      for (const m of rule.cssText.matchAll(/url\\(\\s*["']?([^"')]+)["']?\\s*\\)/g)) {
        if (!m[1].startsWith("data:")) urls.push([new URL(m[1], base).href, "css url()"]);
      }
      if (rule.href) urls.push([new URL(rule.href, base).href, "css @import"]);
    }
  }
  return {urls, inline};
}"""

# What a policy may allow: this server, nothing, or images inlined as data: (Bootstrap's
# icons for selects and checkboxes).
ALLOWED_SOURCES = {"'self'", "'none'"}
ALLOWED_DATA = {"img-src"}


class Watch:
    """Everything the browser asked for, every CSP header, every console error and CSP
    violation, in one browser context (pages and service workers alike)."""

    def __init__(self, context, origin: str):
        self.origin = origin
        self.requests: list[tuple[str, str, str]] = []  # (url, resource type, page)
        self.responses: list[tuple[str, int, str | None]] = []  # (url, status, CSP)
        self.console: list[tuple[str, str]] = []
        self.references: list[tuple[str, str, str]] = []  # (url, what, page)
        self.inline: list[tuple[str, str]] = []  # (page, code)
        self.page_url = ""
        context.on("request", self._request)
        context.on("response", self._response)
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )

    def _request(self, request):
        self.requests.append((request.url, request.resource_type, self.page_url))

    def _response(self, response):
        self.responses.append(
            (response.url, response.status, response.headers.get("content-security-policy"))
        )

    def follow(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append((self.page_url, str(error))))

    def _console(self, message):
        if message.type == "error":
            self.console.append((self.page_url, message.text))

    def visit(self, page, path: str):
        self.page_url = path
        response = page.goto(path, wait_until="networkidle")
        assert response is not None and response.ok, (path, response and response.status)
        self.look(page)

    def look(self, page):
        """Note what the page as it is now refers to."""
        found = page.evaluate(REFERENCES_JS)
        self.references += [(url, what, self.page_url) for url, what in found["urls"]]
        self.inline += [(self.page_url, code) for code in found["inline"]]

    # --- the verdicts ---------------------------------------------------------------

    def elsewhere(self) -> list[tuple[str, str, str]]:
        """Requests that went (or would have gone) to another server than Campus's."""
        return [r for r in self.requests if not self._ours(r[0])]

    def foreign_references(self) -> list[tuple[str, str, str]]:
        return [r for r in self.references if not self._ours(r[0])]

    def without_policy(self) -> list[tuple[str, int]]:
        return [(u, s) for u, s, csp in self.responses if self._ours(u) and not self_only(csp)]

    def _ours(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob"):
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.origin


def self_only(policy: str | None) -> bool:
    """A Content-Security-Policy that lets the page load from its own server only: a
    default, no other host or scheme (data: for images only), nothing inline, no eval,
    framed by nobody."""
    if not policy:
        return False
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    if directives.get("default-src") not in (["'self'"], ["'none'"]):
        return False
    if directives.get("frame-ancestors") != ["'none'"]:
        return False
    for name, sources in directives.items():
        for source in sources:
            if source in ALLOWED_SOURCES or (source == "data:" and name in ALLOWED_DATA):
                continue
            return False
    return True


@contextmanager
def watched(browser, demo_live, who: str | None, viewport=NOTEBOOK):
    """A browser context (logged in as a demo user, or not) whose every request, response
    header and console error is noted."""
    origin = demo_live.config["LIVE_URL"]
    if who is None:
        context = browser.new_context(base_url=origin, locale="de-DE", viewport=viewport)
        watch = Watch(context, origin)
        page = context.new_page()
        watch.follow(page)
        try:
            yield page, watch
        finally:
            context.close()
        return
    with signed_in(browser, demo_live, who, viewport) as page:
        # signed_in made the context and logged in; watch from here on (the login page
        # itself is checked logged out).
        watch = Watch(page.context, origin)
        watch.follow(page)
        yield page, watch


def _path(page, step: str) -> str:
    """The page's path for one step of PAGES."""
    if step == "school":  # on the inventory: the first school's
        school = page.eval_on_selector("#d-school option:nth-child(2)", "o => o.value")
        return f"/devices/?school={school}"
    if step not in LINKED:
        return step
    hrefs = page.eval_on_selector_all("a[href]", "ls => ls.map(a => a.pathname + a.search)")
    return next(h for h in hrefs if LINKED[step].match(h))


def _verdict(watch: Watch) -> None:
    assert watch.requests, "no request was seen at all"
    assert watch.elsewhere() == [], "requests to other servers"
    assert watch.foreign_references() == [], "other servers named in the pages"
    assert watch.inline == [], "inline scripts or styles"
    assert watch.without_policy() == [], "responses without a strict CSP"
    assert watch.console == [], "console errors or CSP violations"


@pytest.mark.parametrize("who", list(PAGES))
def test_no_main_page_asks_another_server(browser, demo_live, who):
    with watched(browser, demo_live, who) as (page, watch):
        for path in PAGES[who]:
            watch.visit(page, _path(page, path))
    _verdict(watch)


def test_no_page_before_logging_in_asks_another_server(browser, demo_live):
    with watched(browser, demo_live, None) as (page, watch):
        for path in LOGGED_OUT:
            watch.visit(page, path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Datenschutz in Campus")
        page.goto("/auth/login")
        expect(page.get_by_role("link", name="Datenschutz")).to_be_visible()
    _verdict(watch)


def test_the_privacy_page_reads_well_on_a_phone(browser, demo_live):
    with watched(browser, demo_live, None, PHONE) as (page, watch):
        watch.visit(page, "/datenschutz")
        screenshot(page, "privacy-page-phone")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the privacy page scrolls sideways by {overflow} px"
        assert _serious(page) == []
        expect(page.locator("#who-sees-what tbody tr")).to_have_count(4)
        expect(page.locator("#ticket-days")).to_contain_text("730 Tage nach dem Abschluss")
    _verdict(watch)


def test_a_report_with_a_photo_and_its_page_stay_on_the_server(browser, demo_live, tmp_path):
    """Filing on the phone: the suggestions fetched while typing, the upload, the photo on
    the ticket page."""
    photo = tmp_path / "beamer.png"
    photo.write_bytes(png_bytes(40, 30))
    with watched(browser, demo_live, "teacher", PHONE) as (page, watch):
        watch.visit(page, "/tickets/new")
        page.locator("#title").press_sequentially("Beamer zeigt kein Bild", delay=20)
        expect(page.locator("#suggestions summary").first).to_be_visible()
        page.get_by_label("Beamer / Display").check()
        page.get_by_label("Unterricht nicht möglich").check()
        page.get_by_label("Was passiert?").fill("Beamer bleibt schwarz.")
        page.locator("input[type=file]").set_input_files(str(photo))
        page.get_by_role("button", name="Meldung senden").click()
        page.wait_for_url(TICKET_URL)
        watch.page_url = page.url
        thumb = page.locator("img.photo-thumb")
        expect(thumb).to_be_visible()
        assert page.evaluate("img => img.naturalWidth", thumb.element_handle()) == 40
        watch.look(page)
    kinds = {kind for _u, kind, _p in watch.requests}
    assert {"document", "stylesheet", "script", "image", "fetch"} <= kinds, kinds
    _verdict(watch)


def test_the_policy_check_itself():
    ours = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    assert self_only(ours)
    for weaker in (
        None,
        "",
        ours.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
        ours.replace("style-src 'self'", "style-src 'self' https://fonts.googleapis.com"),
        ours.replace("default-src 'self'", "default-src *"),
        ours + "; font-src data: https:",
        ours.replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
        "img-src 'self'",
    ):
        assert not self_only(weaker), weaker
