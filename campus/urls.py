"""Redirect targets that stay on this site (no open redirects)."""

from urllib.parse import urljoin, urlsplit

from flask import request


def is_safe_url(target: str | None) -> bool:
    """True for a relative path or an absolute URL of this very host."""
    if not target:
        return False
    if target.startswith("//") or "\\" in target:
        return False
    here = urlsplit(request.host_url)
    there = urlsplit(urljoin(request.host_url, target))
    return there.scheme in ("http", "https") and there.netloc == here.netloc
