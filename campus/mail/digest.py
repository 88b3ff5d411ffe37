"""Digests: the notifications a reader chose to get bundled, at the times they chose.

Held notifications wait in the outbox (status "held"). Every minute the worker looks for
readers with held mails older than their last digest time (each reader's `digest_times`,
local time) and writes one digest per reader, in a unit of work of its own that first
marks the held mails as bundled: two workers at the same moment cannot send the same
notifications twice, the second finds none left to bundle.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import ngettext
from sqlalchemy import func, select, update

from campus.extensions import db
from campus.formats import in_language
from campus.mail import sending
from campus.models import Mail, MailStatus, User, utcnow
from campus.models.user import DEFAULT_DIGEST_TIMES
from campus.unit_of_work import work
from campus.urls import external_url

MAX_TIMES = 6


def parse_times(raw: str) -> list[time]:
    """ "07:00, 13:30" -> sorted times; ValueError with the offending part otherwise."""
    found = set()
    for part in (raw or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        hours, _, minutes = part.partition(":")
        if not (hours.isdigit() and (minutes.isdigit() or not minutes)):
            raise ValueError(part)
        hour, minute = int(hours), int(minutes or 0)
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise ValueError(part)
        found.add(time(hour, minute))
    if not found or len(found) > MAX_TIMES:
        raise ValueError(raw)
    return sorted(found)


def format_times(times: list[time]) -> str:
    return ",".join(t.strftime("%H:%M") for t in times)


def last_digest_time(raw: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The latest of the reader's digest times at or before `now` (UTC)."""
    try:
        times = parse_times(raw)
    except ValueError:
        times = parse_times(DEFAULT_DIGEST_TIMES)
    local_now = now.astimezone(zone)
    day: date = local_now.date()
    for offset in (0, 1):
        for moment in reversed(times):
            candidate = datetime.combine(day - timedelta(days=offset), moment, zone)
            if candidate <= local_now:
                return candidate
    return datetime.combine(day - timedelta(days=1), times[0], zone)


def due_readers(now: datetime) -> list[int]:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    rows = db.session.execute(
        select(Mail.user_id, func.min(Mail.created_at), User.digest_times)
        .join(User, User.id == Mail.user_id)
        .where(Mail.status == MailStatus.HELD)
        .group_by(Mail.user_id, User.digest_times)
    ).all()
    db.session.commit()
    return [
        user_id
        for user_id, oldest, times in rows
        if oldest.replace(tzinfo=oldest.tzinfo or zone) < last_digest_time(times, now, zone)
    ]


def send_digests(now: datetime | None = None) -> int:
    """One digest for every reader whose digest time has come; returns how many."""
    now = now or utcnow()
    written = 0
    for user_id in due_readers(now):
        with work():
            written += write_digest(user_id, now)
    return written


def write_digest(user_id: int, now: datetime) -> int:
    user = db.session.get(User, user_id)
    held = list(
        db.session.scalars(
            select(Mail)
            .where(Mail.user_id == user_id, Mail.status == MailStatus.HELD)
            .order_by(Mail.created_at, Mail.id)
        )
    )
    if user is None or not held:
        return 0
    ids = [mail.id for mail in held]
    bundled = db.session.execute(
        update(Mail)
        .where(Mail.id.in_(ids), Mail.status == MailStatus.HELD)
        .values(status=MailStatus.BUNDLED)
        .execution_options(synchronize_session=False)
    ).rowcount
    if bundled != len(ids):
        db.session.rollback()  # another worker is writing this digest
        return 0
    if not user.active:
        return 0
    with in_language(user.locale):
        context = {
            "reader": user,
            "items": [
                {
                    "subject": mail.subject,
                    "at": mail.created_at,
                    "url": external_url("tickets.detail", ticket_id=mail.ticket_id)
                    if mail.ticket_id
                    else "",
                }
                for mail in held
            ],
            "settings_url": external_url("auth.notifications"),
        }
        subject = ngettext(
            "Campus: %(num)d new notification", "Campus: %(num)d new notifications", len(held)
        )
        text = render_template("mail/digest.txt", **context)
        html = render_template("mail/digest.html", **context)
    digest = sending.write(
        kind="digest",
        to=user.email,
        subject=subject,
        text=text,
        html=html,
        user_id=user.id,
        now=now,
    )
    if digest is not None:
        db.session.execute(
            update(Mail)
            .where(Mail.id.in_(ids))
            .values(digest_id=digest.id)
            .execution_options(synchronize_session=False)
        )
    return 1
