"""Filing a ticket: a teacher reports a problem for their school, with up to three photos."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from campus.events import TicketFiled
from campus.exceptions import ErrorCollector, NotAllowed
from campus.extensions import db
from campus.models import (
    Category,
    Device,
    EventKind,
    Impact,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from campus.permissions import can_report
from campus.tickets.photos import Upload, attach_photos, check_photos
from campus.tickets.transitions import TEXT_MAX, record_event
from campus.timetable.due import set_due_dates
from campus.unit_of_work import record

TITLE_MAX = 200


def _insert_numbered(ticket: Ticket) -> None:
    """Add the ticket with a number no other ticket has (written with the next flush).

    PostgreSQL hands out numbers from a sequence (ticket_numbers, made by the migration):
    reports arriving at the same moment never collide, and a rolled-back report leaves
    a gap, which is fine. SQLite lets one writer at a time, so the next number after the
    highest is safe there.
    """
    if db.engine.dialect.name == "postgresql":
        ticket.number = db.session.scalar(select(func.nextval("ticket_numbers")))
    else:
        ticket.number = next_ticket_number()
    db.session.add(ticket)


def next_ticket_number() -> int:
    return (db.session.scalar(db.select(func.max(Ticket.number))) or 0) + 1


def report_ticket(
    actor: User,
    *,
    title: str,
    description: str,
    category: str,
    impact: str,
    room: str = "",
    device_id: int | None = None,
    photos: list[Upload] | None = None,
    upload_folder: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """A teacher files a ticket for their school; every problem is reported at once."""
    if not can_report(actor):
        raise NotAllowed(_l("Only teachers with a school can report problems."))
    now = (now or utcnow()).astimezone(UTC)
    problems = ErrorCollector()
    title, description, room = (
        (title or "").strip(),
        (description or "").strip(),
        (room or "").strip(),
    )
    if not title:
        problems.add("title", _l("Please say in a few words what is wrong."))
    elif len(title) > TITLE_MAX:
        problems.add("title", _l("Please keep the title under %(n)d characters.", n=TITLE_MAX))
    if not description:
        problems.add("description", _l("Please describe the problem."))
    elif len(description) > TEXT_MAX:
        problems.add("description", _l("The description is too long."))
    if category not in set(Category):
        problems.add("category", _l("Please choose what kind of problem it is."))
    if impact not in set(Impact):
        problems.add("impact", _l("Please choose how much it disturbs the lesson."))
    if len(room) > 60:
        problems.add("room", _l("Please keep the room under 60 characters."))
    device = None
    if device_id:
        device = db.session.get(Device, device_id)
        if device is None or device.school_id != actor.school_id:
            problems.add("device_id", _l("This device does not belong to your school."))
    checked = []
    problems.check(lambda: checked.extend(check_photos(photos or [])))
    problems.raise_if_any()

    ticket = Ticket(
        reporter=actor,
        school_id=actor.school_id,
        campus_id=actor.school.campus_id,
        room=room or (device.room if device else ""),
        device=device,
        category=category,
        impact=impact,
        title=title,
        description=description,
        status=TicketStatus.NEW,
        level=1,
        created_at=now,
        updated_at=now,
    )
    set_due_dates(ticket, actor.school)
    _insert_numbered(ticket)
    trail = record_event(ticket, actor, EventKind.CREATED, now, None, TicketStatus.NEW, None, 1)
    if checked:
        db.session.flush()  # files only once the ticket row exists: a failed insert leaves none
    attach_photos(ticket, checked, upload_folder, now)
    db.session.flush()
    record(TicketFiled(at=now, ticket=ticket, actor=actor, before=None, trail=trail))
    return ticket
