"""Static files (campus/assets.py): content-hashed names cached for a year, compressed when
the browser accepts it, old names still served briefly, nothing outside the folders, and
only the JavaScript that is used."""

import gzip
import re
from pathlib import Path

import pytest
from flask import url_for

from campus import assets

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "campus" / "static"
LONG = "public, max-age=31536000, immutable"
HASHED_CSS = re.compile(r'href="(/static/campus\.[0-9a-f]{12}\.css)"')


def _url(app, filename, endpoint="static"):
    with app.test_request_context():
        return url_for(endpoint, filename=filename)


def test_pages_link_hashed_names_and_no_bootstrap_js(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert HASHED_CSS.search(html)
    assert re.search(r'href="/bootstrap/static/css/bootstrap\.min\.[0-9a-f]{12}\.css"', html)
    assert re.search(r'src="/static/collapse\.[0-9a-f]{12}\.js"', html)
    assert re.search(r'href="/static/favicon\.[0-9a-f]{12}\.svg"', html)
    assert "bootstrap.min.js" not in html and "popper" not in html


def test_a_hashed_name_is_cached_for_a_year_and_is_the_file(app, client):
    url = _url(app, "campus.css")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == LONG
    assert response.mimetype == "text/css"
    assert response.data == (STATIC / "campus.css").read_bytes()
    bootstrap = client.get(_url(app, "css/bootstrap.min.css", "bootstrap.static"))
    assert bootstrap.status_code == 200 and bootstrap.headers["Cache-Control"] == LONG


def test_the_digest_follows_the_content(tmp_path):
    (tmp_path / "site.css").write_text("body { color: red }")
    first = assets.hashed_name(str(tmp_path), "site.css")
    (tmp_path / "site.css").write_text("body { color: blue; margin: 0 }")
    second = assets.hashed_name(str(tmp_path), "site.css")
    assert re.fullmatch(r"site\.[0-9a-f]{12}\.css", first) and first != second
    assert assets.hashed_name(str(tmp_path), "missing.css") == "missing.css"
    assert assets.hashed_name(str(tmp_path), "../site.css") == "../site.css"


def test_gzip_when_accepted_and_not_without(app, client):
    url = _url(app, "css/bootstrap.min.css", "bootstrap.static")
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert int(plain.headers["Content-Length"]) == len(plain.data) > 200_000
    assert plain.headers["Vary"] == "Accept-Encoding"

    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert int(packed.headers["Content-Length"]) == len(packed.data) < 40_000
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["Cache-Control"] == LONG
    assert packed.headers["ETag"] != plain.headers["ETag"]  # one per encoding

    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain.data


def test_brotli_when_preferred(app, client):
    brotli = pytest.importorskip("brotli")
    url = _url(app, "collapse.js")
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.data) == (STATIC / "collapse.js").read_bytes()
    chosen = client.get(url, headers={"Accept-Encoding": "br;q=0.5, gzip"})
    assert chosen.headers["Content-Encoding"] == "gzip"


def test_conditional_requests_per_encoding(app, client):
    url = _url(app, "campus.css")
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == LONG and again.headers["ETag"] == etag
    # the gzip copy's tag does not stand for the plain one
    other = client.get(url, headers={"If-None-Match": etag})
    assert other.status_code == 200 and "Content-Encoding" not in other.headers
    head = client.head(url, headers={"Accept-Encoding": "gzip"})
    assert head.headers["Content-Length"] == first.headers["Content-Length"]


def test_plain_and_stale_names_are_served_briefly(app, client):
    current = (STATIC / "campus.css").read_bytes()
    for url in ("/static/campus.css", "/static/campus.0123456789ab.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.data == current
        assert response.headers["Cache-Control"] == assets.SHORT_CACHE
    favicon = client.get("/static/favicon.svg")  # small files too
    assert favicon.status_code == 200 and favicon.headers["Cache-Control"] == assets.SHORT_CACHE


@pytest.mark.parametrize(
    "url",
    [
        "/static/nothing.css",
        "/static/nothing.0123456789ab.css",
        "/bootstrap/static/css/nothing.min.css",
    ],
)
def test_unknown_files_are_not_found(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/static/../__init__.py",
        "/static/..%2f__init__.py",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/%2e%2e/config.0123456789ab.py",
        "/static/..%5c__init__.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/bootstrap/static/../../flask_bootstrap/__init__.py",
        "/bootstrap/static/%2e%2e/%2e%2e/__init__.py",
    ],
)
def test_nothing_outside_the_static_folders(client, url):
    response = client.get(url, follow_redirects=True)  # "//" is merged by a redirect
    assert response.status_code in (400, 404), url
    assert b"import" not in response.data


def test_the_service_worker_keeps_its_name_and_a_short_cache(app, client):
    assert _url(app, "sw.js") == "/static/sw.js"
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["Cache-Control"] == "no-cache"
    digest = assets.hashed_name(str(STATIC), "campus.css").split(".")[1]
    assert client.get(f"/static/sw.{digest}.js").headers.get("Cache-Control") != LONG


def test_static_files_carry_no_session(app, make_user, as_user):
    browser = as_user(make_user())
    assert browser.get("/tickets/mine").status_code == 200  # logged in
    response = browser.get(_url(app, "campus.css"), headers={"Accept-Encoding": "gzip"})
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers


def test_pages_are_never_compressed_by_the_app(client):
    """BREACH: pages carry CSRF tokens and reflected input (README, Deployment)."""
    response = client.get("/auth/login", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers


def test_templates_use_only_the_javascript_campus_ships():
    """collapse.js stands in for bootstrap.js: a template that asks for another Bootstrap
    component (a dropdown, a modal, a tooltip ...) would silently not work."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "bootstrap.load_js" not in text, path
        for attribute, value in re.findall(r'(data-bs-[a-z-]+)="([^"]*)"', text):
            assert attribute in ("data-bs-toggle", "data-bs-target"), (path, attribute)
            if attribute == "data-bs-toggle":
                assert value == "collapse", (path, value)
