"""A manager's visits as an iCalendar feed, for the phone's calendar (a private address
that a new key revokes)."""

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext

from campus.extensions import db
from campus.models import User
from campus.timetable.schedule import Occurrence
from campus.timetable.services import require_planner

PAST_DAYS, COMING_DAYS = 28, 120


def feed_token(user_id: int, key: str) -> str:
    """The address's secret part: the user and an HMAC over their key (the key alone, read
    from a copy of the database, does not give the address)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    mac = hmac.new(secret, f"calendar:{user_id}:{key}".encode(), hashlib.sha256).hexdigest()
    return f"{user_id}-{mac[:40]}"


def token_matches(token: str, user_id: int, key: str | None) -> bool:
    return key is not None and hmac.compare_digest(token, feed_token(user_id, key))


def user_of(token: str) -> int | None:
    head, _, mac = token.partition("-")
    if not head.isdigit() or len(head) > 12 or len(mac) != 40:
        return None
    return int(head)


def calendar(
    name: str,
    visits: list[Occurrence],
    schools: dict[int, tuple[str, str]],  # id: (name, address)
    people: dict[int, str],
    domain: str,
    now: datetime,
) -> bytes:
    import icalendar  # here, not at start-up: every process would pay for it

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Campus//Besuchsplan//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Berlin")
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    for visit in visits:
        school_name, address = schools.get(visit.school_id, ("", ""))
        event = icalendar.Event()
        kind = "x" if visit.extra else "v"
        event.add(
            "uid",
            f"{kind}{visit.manager_id}-{visit.school_id}-{visit.starts:%Y%m%dT%H%M}@{domain}",
        )
        event.add("dtstamp", now)
        event.add("dtstart", visit.starts)
        event.add("dtend", visit.ends)
        summary = school_name
        if visit.by_substitute:
            summary = gettext(
                "%(school)s (standing in for %(name)s)",
                school=school_name,
                name=people.get(visit.manager_id, ""),
            )
        event.add("summary", summary)
        if address:
            event.add("location", address)
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def window(today: date) -> tuple[date, date]:
    return today - timedelta(days=PAST_DAYS), today + timedelta(days=COMING_DAYS)


# --- its key ---------------------------------------------------------------


def new_calendar_key(actor: User, manager: User) -> str:
    """A new private address for the manager's calendar; the old one stops working."""
    require_planner(actor, manager)
    manager.calendar_key = secrets.token_hex(16)
    db.session.flush()
    return manager.calendar_key


def revoke_calendar_key(actor: User, manager: User) -> None:
    require_planner(actor, manager)
    manager.calendar_key = None
    db.session.flush()
