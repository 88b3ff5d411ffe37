"""Numbers and times for the pages in the reader's language and time zone, both looked
up once per request: flask-babel looks them up again on every call, which a list of 25
tickets with two times each, or a report of 500 rows with ten figures each, pays for
every time."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from babel import dates, numbers
from flask import g, has_request_context
from flask_babel import get_locale, get_timezone, gettext

from campus.models.base import utcnow

NAMED = ("short", "medium", "long", "full")


@contextmanager
def in_language(locale: str | None) -> Iterator[None]:
    """Write for another reader (a mail): their language, with the formats of this request
    set aside and given back afterwards."""
    from flask import current_app
    from flask_babel import force_locale

    chosen = locale if locale in current_app.config["LANGUAGES"] else None
    saved = g.pop("_formats", None) if has_request_context() else None
    try:
        with force_locale(chosen or current_app.config["BABEL_DEFAULT_LOCALE"]):
            yield
    finally:
        if has_request_context():
            g.pop("_formats", None)
            if saved is not None:
                g._formats = saved


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


def format_number(value, fmt: str | None = None) -> str:
    return numbers.format_decimal(value, fmt, locale=_context()[0])


def format_percent(value: float | None) -> str:
    """A share as a whole percentage ("55 %"), or a dash where it is undefined. Rounded
    as babel rounds (half to even), then worded once per request for each whole number."""
    if value is None:
        return "–"
    whole = int((Decimal(str(value)) * 100).quantize(Decimal(1), ROUND_HALF_EVEN))
    said = _context()[2].setdefault("percents", {})
    if whole not in said:
        said[whole] = numbers.format_percent(Decimal(whole) / 100, locale=_context()[0])
    return said[whole]


def format_duration(seconds: float | None) -> str:
    """A report duration the way people say it: minutes, hours, or days (the report's
    durations are bucket bounds, a few dozen values: each is worded once per request)."""
    if seconds is None:
        return "–"
    said = _context()[2].setdefault("durations", {})
    if seconds not in said:
        if seconds == float("inf"):
            said[seconds] = gettext("over a year")
        elif seconds < 3600:
            said[seconds] = gettext("%(n)s min", n=format_number(round(seconds / 60)))
        elif seconds < 48 * 3600:
            said[seconds] = gettext("%(n)s h", n=format_number(round(seconds / 3600, 1)))
        else:
            said[seconds] = gettext("%(n)s days", n=format_number(round(seconds / 86400, 1)))
    return said[seconds]


def format_at_most(seconds: float | None) -> str:
    """A duration figure as the upper bound of its bucket ("≤ 2 h")."""
    if seconds is None:
        return "–"
    if seconds == float("inf"):
        return format_duration(seconds)
    return "≤ " + format_duration(seconds)
