"""Holidays: entered as date ranges, or read from an iCalendar file (the NRW school
holidays are published as .ics) with the `icalendar` library; repeating entries are
unfolded by `recurring_ical_events`."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus.exceptions import ErrorCollector, InvalidInput, NotAllowed
from campus.extensions import db
from campus.models import Holiday, User
from campus.permissions import can_edit_holidays
from campus.timetable.schedule import BERLIN
from campus.timetable.services import changed, check_day, check_span

MAX_BYTES = 1024 * 1024
MAX_ENTRIES = 500
TOO_OFTEN = ("SECONDLY", "MINUTELY", "HOURLY")  # unfolded over years: millions of entries
WITHIN_A_DAY = {"BYHOUR", "BYMINUTE", "BYSECOND"}  # the same, inside a daily rule
MAX_REPEATING = 20  # entries with a rule, each unfolded over five years (at most ~1,830 times)
YEARS_BACK, YEARS_AHEAD = 1, 4


@dataclass(frozen=True)
class Entry:
    uid: str
    name: str
    first_day: date
    last_day: date


def _day(value) -> date:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=BERLIN)).astimezone(BERLIN).date()
    return value


def read_calendar(data: bytes, today: date) -> list[Entry]:
    """The holidays in a calendar file, from a year back to four years ahead; a file that
    is no calendar is refused with a message that says so."""
    if not data.strip():
        raise InvalidInput(_l("Please choose a calendar file (.ics)."), field="calendar")
    if len(data) > MAX_BYTES:
        raise InvalidInput(_l("The calendar file is larger than 1 MB."), field="calendar")
    import icalendar  # here, not at start-up: every process would pay for it
    import recurring_ical_events

    try:
        calendar = icalendar.Calendar.from_ical(data)
        window = (
            today.replace(day=1) - timedelta(days=365 * YEARS_BACK),
            today + timedelta(days=365 * YEARS_AHEAD),
        )
        found = calendar.walk("VEVENT")
        repeating = [event for event in found if event.get("RRULE") is not None]
        if len(found) > MAX_ENTRIES or len(repeating) > MAX_REPEATING:
            raise InvalidInput(
                _l("The calendar holds more than %(n)d entries.", n=MAX_ENTRIES), field="calendar"
            )
        for event in repeating:
            rule = event.get("RRULE")
            parts = {str(name).upper() for name in rule}
            if str(rule.get("FREQ", [""])[0]).upper() in TOO_OFTEN or parts & WITHIN_A_DAY:
                raise InvalidInput(
                    _l("The calendar repeats an entry more often than daily: no holidays."),
                    field="calendar",
                )
        events = recurring_ical_events.of(calendar).between(*window)
    except InvalidInput:
        raise
    except Exception:  # whatever the parser dislikes: the file is not usable
        raise InvalidInput(
            _l("This file is not a calendar in iCalendar format (.ics)."), field="calendar"
        ) from None
    entries: dict[str, Entry] = {}
    for event in events:
        start = event.get("DTSTART")
        if start is None:
            continue
        first = _day(start.dt)
        end = event.get("DTEND")
        if end is not None:
            # an all-day entry ends the day after its last day; a timed one on its last day
            last = (
                _day(end.dt) - timedelta(days=1)
                if not isinstance(end.dt, datetime)
                else _day(end.dt)
            )
        elif event.get("DURATION") is not None:
            last = _day(start.dt + event.get("DURATION").dt) - timedelta(days=1)
        else:
            last = first
        last = max(first, last)
        name = " ".join(str(event.get("SUMMARY") or "").split())[:120] or str(_l("Holiday"))
        uid = str(event.get("UID") or f"{name}-{first.isoformat()}")
        if event.get("RRULE") is not None or event.get("RECURRENCE-ID") is not None:
            uid = f"{uid}/{first.isoformat()}"  # one entry per repetition
        problems = ErrorCollector()
        check_holiday(problems, name, first, last)
        if problems.errors:
            raise InvalidInput(
                _l(
                    "“%(name)s” (%(first)s – %(last)s): %(problem)s",
                    name=name,
                    first=first.isoformat(),
                    last=last.isoformat(),
                    problem=next(iter(problems.errors.values())),
                ),
                field="calendar",
            )
        entries[uid[:255]] = Entry(uid[:255], name, first, last)
        if len(entries) > MAX_ENTRIES:
            raise InvalidInput(
                _l("The calendar holds more than %(n)d entries.", n=MAX_ENTRIES), field="calendar"
            )
    if not entries:
        raise InvalidInput(
            _l("The calendar holds no entries in the coming years."), field="calendar"
        )
    return sorted(entries.values(), key=lambda e: (e.first_day, e.name))


# --- keeping them ------------------------------------------------------------------------------


def _require_holiday_editor(actor: User) -> None:
    if not can_edit_holidays(actor):
        raise NotAllowed(_l("Only administrators may change the holidays."))


def check_holiday(
    problems: ErrorCollector, name: str, first: date | None, last: date | None
) -> None:
    if not name:
        problems.add("name", _l("Please enter a name."))
    elif len(name) > 120:
        problems.add("name", _l("Please keep the name under %(n)d characters.", n=120))
    check_span(problems, first, last, 120, _l("A holiday lasts at most 120 days."))
    check_day(problems, "first_day", first, years=5)
    check_day(problems, "last_day", last, years=5)


def add_holiday(
    actor: User, *, name: str, first_day: date | None, last_day: date | None
) -> Holiday:
    _require_holiday_editor(actor)
    name = (name or "").strip()
    problems = ErrorCollector()
    check_holiday(problems, name, first_day, last_day)
    problems.raise_if_any()
    holiday = Holiday(name=name, first_day=first_day, last_day=last_day)
    db.session.add(holiday)
    db.session.flush()
    changed(None)
    return holiday


def remove_holiday(actor: User, holiday: Holiday) -> None:
    _require_holiday_editor(actor)
    db.session.delete(holiday)
    db.session.flush()
    changed(None)


def save_imported(actor: User, entries) -> dict[str, int]:
    """Store holidays read from a calendar (campus/timetable/holidays.py): new ones are
    added, ones with a known UID updated. Returns how many of each."""
    _require_holiday_editor(actor)
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    known = {
        h.uid: h
        for h in db.session.scalars(
            select(Holiday).where(Holiday.uid.in_([e.uid for e in entries]))
        )
    }
    for entry in entries:
        holiday = known.get(entry.uid)
        if holiday is None:
            db.session.add(
                Holiday(
                    name=entry.name,
                    first_day=entry.first_day,
                    last_day=entry.last_day,
                    uid=entry.uid,
                )
            )
            counts["new"] += 1
        elif (holiday.name, holiday.first_day, holiday.last_day) != (
            entry.name,
            entry.first_day,
            entry.last_day,
        ):
            holiday.name, holiday.first_day, holiday.last_day = (
                entry.name,
                entry.first_day,
                entry.last_day,
            )
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    db.session.flush()
    if counts["new"] or counts["updated"]:
        changed(None)
    return counts
