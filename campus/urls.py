"""Redirect targets that stay on this site (no open redirects)."""

import re
from urllib.parse import urlsplit, urlunsplit

from flask import request

# Browsers drop tabs and line breaks from an address and read "\" as "/": "/\t/evil.example"
# and "/\\evil.example" become "//evil.example", another host. None of them may appear.
_REPAIRED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f\\]")


def local_path(target: str | None, *, this_host: bool = False) -> str | None:
    """`target` if it is a path on this site: it starts with exactly one "/" and names no
    scheme or host. With `this_host`, an absolute address of this very host (a Referer)
    counts as its path. None for anything else."""
    if not target or _REPAIRED_BY_BROWSERS.search(target):
        return None
    parts = urlsplit(target)
    if this_host and (parts.scheme or parts.netloc):
        here = urlsplit(request.host_url)
        if (parts.scheme, parts.netloc) != (here.scheme, here.netloc):
            return None
        target = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
        parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//"):
        return None
    if parts.scheme or parts.netloc:
        return None
    return target


def external_url(endpoint: str, **values) -> str:
    """An absolute address for a mail or a label: on BASE_URL when it is set (production
    must set it: a request's Host header is the client's to write), else on the address
    the current request came to (development, tests), else on http://localhost."""
    from flask import current_app, has_request_context

    base = current_app.config.get("BASE_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)
