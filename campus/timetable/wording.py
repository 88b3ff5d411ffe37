"""Visits in words, in the reader's language: "8-12 Uhr", "am Donnerstag", and the
teacher's sentence of who comes when."""

from datetime import date, datetime, time, timedelta

from babel import dates
from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

from campus.timetable.schedule import BERLIN


def _locale():
    return get_locale()


def clock(value: time | datetime | None) -> str:
    """A time of day ("08:00"; "8:00 AM"); a moment in Berlin time."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(BERLIN).time()
    return dates.format_time(value, "short", locale=_locale())


def _hour(value: time) -> str:
    return str(value.hour) if value.minute == 0 else f"{value.hour}:{value.minute:02d}"


def hours(starts: datetime | time, ends: datetime | time) -> str:
    """A visit's hours: "8-12 Uhr", "8:30-12 Uhr" (with an en dash); "8:00 AM - 12:00 PM"."""
    if isinstance(starts, datetime):
        starts, ends = starts.astimezone(BERLIN).time(), ends.astimezone(BERLIN).time()
    if _locale().language == "de":
        return f"{_hour(starts)}–{_hour(ends)} Uhr"
    return f"{clock(starts)} – {clock(ends)}"


def long_day(value: date | datetime) -> str:
    """ "Donnerstag, 3. Dezember 2026"."""
    if isinstance(value, datetime):
        value = value.astimezone(BERLIN).date()
    return dates.format_date(value, "full", locale=_locale())


def short_day(value: date | datetime) -> str:
    """ "Do., 3. Dez."."""
    if isinstance(value, datetime):
        value = value.astimezone(BERLIN).date()
    return dates.format_skeleton("MMMEd", value, locale=_locale())


def when(day: date, today: date) -> str:
    """ "today", "tomorrow", "on Thursday" (within the week), "on Thursday, 10 December"."""
    if day == today:
        return gettext("today")
    if day == today + timedelta(days=1):
        return gettext("tomorrow")
    weekday = dates.format_date(day, "EEEE", locale=_locale())
    if day < today + timedelta(days=7):
        return gettext("on %(weekday)s", weekday=weekday)
    return gettext(
        "on %(weekday)s, %(date)s",
        weekday=weekday,
        date=dates.format_skeleton("MMMMd", day, locale=_locale()),
    )


def next_on_site(found, now: datetime) -> Markup:
    """The teacher's sentence: who looks after the school and when they are next there."""
    if found is None:
        return Markup("")
    visit = found.visit
    if visit is None:
        if not found.caretakers:
            return Markup("")
        return escape(
            gettext(
                "Your school is looked after by %(names)s (campus management); no visit is "
                "planned in the coming weeks.",
                names=", ".join(found.caretakers),
            )
        )
    person = found.person
    if found.standing_in_for:
        person = gettext(
            "%(name)s (standing in for %(manager)s)", name=person, manager=found.standing_in_for
        )
    if found.here_now:
        return escape(
            gettext(
                "%(name)s (campus management) is at your school now, until %(end)s.",
                name=person,
                end=clock(visit.ends),
            )
        )
    return escape(
        gettext(
            "%(name)s (campus management) is at your school again %(when)s, %(hours)s.",
            name=person,
            when=when(visit.day, now.astimezone(BERLIN).date()),
            hours=hours(visit.starts, visit.ends),
        )
    )
