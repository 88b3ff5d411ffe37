"""A person's data (GDPR Art. 15 and 20): everything Campus holds about one person, and
only theirs, in plain JSON types (times in ISO 8601, UTC; times of day as "HH:MM").

Other people appear by their role at most, never by name or address: the history of the
person's own tickets says who wrote each entry as "self", a role ("campus_manager") or
"system"; of other tickets only the number is given, with the person's own entries.
Texts that are somebody's name (an assignment, a release) are left out. Internal notes of
others on the person's tickets only where the person sees them anyway (the support side,
administrators: `sees_internal`). No secret leaves: no password or token hash, no
calendar key, no photo's bytes, no mail's body.

Tickets and what the person wrote on them are here; the account's parts (tokens, logins,
mails, surveys, articles, audit trail, timetable) in campus/privacy/export_account.py.
The readable copy is campus/privacy/export_pdf.py; the downloads, each recorded in the
audit trail, are campus/privacy/routes.py."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, selectinload

from campus.extensions import db
from campus.models import (
    EventKind,
    FaultAnalysis,
    Feedback,
    Ticket,
    TicketEvent,
    TicketPhoto,
    User,
    utcnow,
)
from campus.models.feedback import UP
from campus.permissions import sees_internal
from campus.privacy import export_account as account
from campus.privacy.export_account import fetch as _rows
from campus.privacy.export_account import iso

FORMAT = "campus-personal-data/1"
SELF, SYSTEM = "self", "system"
# History entries whose text is a person's name: who was given the ticket, who lost it.
NAME_KINDS = frozenset({EventKind.ASSIGNED, EventKind.RELEASED})


def personal_data(user: User, now: datetime | None = None) -> dict:
    """Everything about `user`, section by section (see the module's docstring)."""
    return {
        "format": FORMAT,
        "generated_at": iso(now or utcnow()),
        "profile": _profile(user),
        "tickets": _tickets(user),
        "photos": _photos(user),
        "entries_on_other_tickets": _entries_elsewhere(user),
        "fault_analyses": _analyses(user),
        "tickets_assigned": _assigned(user),
        "api_tokens": account.tokens(user),
        "login_sessions": account.sessions(user),
        "school_accounts": account.school_accounts(user),
        "internship": account.internship(user),
        "mail_preferences": account.preferences(user),
        "mails_to_you": account.mails(user),
        "mails_from_you": account.inbound(user),
        "feedback": _feedback(user),
        "surveys": account.surveys(user),
        "articles": account.articles(user),
        "audit_trail": account.audit(user),
        "timetable": account.timetable(user),
    }


def _profile(user: User) -> dict:
    campuses = [c.name for c in user.managed_campuses]
    if user.school is not None and user.school.campus.name not in campuses:
        campuses.append(user.school.campus.name)
    return {
        "id": user.id,
        "name": user.display_name,
        "email": user.email,
        "role": str(user.role),
        "school": user.school.name if user.school is not None else None,
        "campuses": campuses,
        "language": user.locale,
        "created_at": iso(user.created_at),
        "last_login_at": iso(user.last_login_at),
        "active": user.active,
        "deactivated_at": iso(user.deactivated_at),
        "pseudonymised_at": iso(user.pseudonymised_at),
        "digest_times": user.digest_times,
        "calendar_feed": user.calendar_key is not None,
    }


def _tickets(user: User) -> list[dict]:
    tickets = db.session.scalars(
        select(Ticket)
        .where(Ticket.reporter_id == user.id)
        .options(selectinload(Ticket.school), selectinload(Ticket.device))
        .order_by(Ticket.created_at, Ticket.id)
    ).all()
    writer = aliased(User)
    history = _rows(
        select(TicketEvent, writer.role)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .outerjoin(writer, writer.id == TicketEvent.actor_id)
        .where(Ticket.reporter_id == user.id)
        .order_by(TicketEvent.id)
    )
    sees = {t.id: sees_internal(user, t) for t in tickets}
    events = defaultdict(list)
    for event, role in history:
        own = event.actor_id == user.id
        if event.internal and not own and not sees[event.ticket_id]:
            continue
        events[event.ticket_id].append(
            {
                "at": iso(event.created_at),
                "kind": str(event.kind),
                "by": SELF if own else (str(role) if role is not None else SYSTEM),
                "text": "" if event.kind in NAME_KINDS else event.text,
                "internal": event.internal,
            }
        )
    return [
        {
            "number": t.number,
            "title": t.title,
            "description": t.description,
            "category": str(t.category),
            "impact": str(t.impact),
            "school": t.school.name,
            "room": t.room,
            "device": t.device.inventory_number if t.device is not None else None,
            "status": str(t.status),
            "level": t.level,
            "created_at": iso(t.created_at),
            "first_response_at": iso(t.first_response_at),
            "resolved_at": iso(t.resolved_at),
            "closed_at": iso(t.closed_at),
            "anonymised_at": iso(t.anonymised_at),
            "events": events[t.id],
        }
        for t in tickets
    ]


def _photos(user: User) -> list[dict]:
    """Photos are attached by the reporter: those of the person's tickets."""
    rows = _rows(
        select(Ticket.number, TicketPhoto)
        .join(TicketPhoto.ticket)
        .where(Ticket.reporter_id == user.id)
        .order_by(TicketPhoto.id)
    )
    return [
        {
            "ticket": number,
            "file_name": photo.original_name,
            "content_type": photo.content_type,
            "size": photo.size,
            "uploaded_at": iso(photo.created_at),
        }
        for number, photo in rows
    ]


def _entries_elsewhere(user: User) -> list[dict]:
    """What the person wrote in the history of tickets others reported."""
    rows = _rows(
        select(Ticket.number, TicketEvent)
        .join(TicketEvent.ticket)
        .where(TicketEvent.actor_id == user.id, Ticket.reporter_id != user.id)
        .order_by(TicketEvent.id)
    )
    return [
        {
            "ticket": number,
            "at": iso(event.created_at),
            "kind": str(event.kind),
            "text": "" if event.kind in NAME_KINDS else event.text,
            "internal": event.internal,
        }
        for number, event in rows
    ]


def _analyses(user: User) -> list[dict]:
    rows = _rows(
        select(Ticket.number, FaultAnalysis)
        .join(FaultAnalysis.ticket)
        .where(FaultAnalysis.author_id == user.id)
        .order_by(FaultAnalysis.id)
    )
    return [
        {
            "ticket": number,
            "at": iso(a.created_at),
            "symptoms": a.symptoms,
            "steps_tried": a.steps_tried,
            "device_data": a.device_data,
            "reproduce": a.reproduce,
        }
        for number, a in rows
    ]


def _assigned(user: User) -> list[dict]:
    """Tickets the person holds, or held last at level 1."""
    rows = _rows(
        select(Ticket.number, Ticket.status, Ticket.level)
        .where(or_(Ticket.assignee_id == user.id, Ticket.l1_assignee_id == user.id))
        .order_by(Ticket.number)
    )
    return [{"ticket": n, "status": str(status), "level": level} for n, status, level in rows]


def _feedback(user: User) -> list[dict]:
    """Feedback names nobody (campus/models/feedback.py); only the reporter gives it."""
    rows = _rows(
        select(Ticket.number, Feedback.rating, Feedback.comment, Feedback.created_at)
        .join(Ticket, Ticket.id == Feedback.ticket_id)
        .where(Ticket.reporter_id == user.id)
        .order_by(Feedback.id)
    )
    return [
        {"ticket": n, "rating": "up" if r == UP else "down", "comment": c, "given_at": iso(at)}
        for n, r, c, at in rows
    ]
