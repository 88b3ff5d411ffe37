"""Times for the pages in the reader's language and time zone, both looked up once per
request: flask-babel looks them up again on every call, which a list of 25 tickets with
two times each pays for fifty times."""

from datetime import datetime

from babel import dates
from flask import g, has_request_context
from flask_babel import get_locale, get_timezone

from campus.models.base import utcnow

NAMED = ("short", "medium", "long", "full")


def _context() -> tuple:
    """(locale, time zone, parsed patterns) of this request."""
    if not has_request_context():
        return get_locale(), get_timezone(), {}
    cached = g.get("_formats")
    if cached is None:
        cached = g._formats = (get_locale(), get_timezone(), {})
    return cached


def format_datetime(value: datetime | None, fmt: str = "short") -> str:
    """Date and time as flask-babel's format_datetime writes them ("26.11.26, 20:07")."""
    if not value:
        return "–"
    locale, zone, patterns = _context()
    pattern = patterns.get(fmt)
    if pattern is None:
        text = fmt
        if fmt in NAMED:
            text = (
                str(locale.datetime_formats[fmt])
                .replace("{1}", str(locale.date_formats[fmt]))
                .replace("{0}", str(locale.time_formats[fmt]))
            )
        pattern = patterns[fmt] = dates.parse_pattern(text)
    return pattern.apply(value.astimezone(zone), locale)


def format_age(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, to the minute ("vor 5 Stunden")."""
    if not value:
        return "–"
    locale = _context()[0]
    return dates.format_timedelta(
        value - (now or utcnow()), granularity="minute", add_direction=True, locale=locale
    )
