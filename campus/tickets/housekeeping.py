"""What Campus does by itself: close resolved tickets nobody answered, and put tickets
back into the queue when their assignee may no longer hold them."""

from datetime import datetime, timedelta

from sqlalchemy import select

from campus.events import TicketReleased
from campus.extensions import db
from campus.models import OPEN_STATUSES, Ticket, TicketEvent, TicketStatus, User, utcnow
from campus.permissions import can_be_assigned, manages_a_campus
from campus.tickets.transitions import apply_rule
from campus.tickets.workflow import STALE_DAYS, Action
from campus.unit_of_work import record


def close_stale(now: datetime | None = None) -> int:
    """Close tickets resolved more than 7 days ago that nobody confirmed or reopened."""
    now = now or utcnow()
    stale = db.session.scalars(
        db.select(Ticket)
        .where(Ticket.status == TicketStatus.RESOLVED)
        .where(Ticket.resolved_at <= now - timedelta(days=STALE_DAYS))
    ).all()
    for ticket in stale:
        close_unconfirmed(ticket, now)
    return len(stale)


def close_unconfirmed(ticket: Ticket, now: datetime | None = None) -> TicketEvent:
    """The system closes one resolved ticket that its teacher left unanswered."""

    def check(_rule, _sides, when):
        ticket.closed_at = when

    return apply_rule(None, ticket, Action.CLOSE, None, now, check)


def release_tickets(user: User, now: datetime | None = None) -> int:
    """Put back into the queue every open ticket `user` may no longer hold (deactivated,
    no longer a manager of its campus); returns how many."""
    held = db.session.scalars(
        select(Ticket).where(
            Ticket.assignee_id == user.id,
            Ticket.status.in_([TicketStatus.IN_PROGRESS, TicketStatus.WAITING]),
        )
    ).all()
    released = 0
    for ticket in held:
        if can_be_assigned(user, ticket, ticket.level):
            continue

        def check(_rule, _sides, _when, ticket=ticket):
            ticket.assignee = None

        apply_rule(None, ticket, Action.RELEASE, user.display_name, now, check)
        released += 1
    # A later return or reopen must not go back to someone who can no longer take it.
    stale_l1 = select(Ticket).where(
        Ticket.l1_assignee_id == user.id, Ticket.status.in_(OPEN_STATUSES)
    )
    if manages_a_campus(user):  # still a manager: only the campuses they left
        stale_l1 = stale_l1.where(Ticket.campus_id.not_in(user.campus_ids))
    for ticket in db.session.scalars(stale_l1).all():
        before = ticket.snapshot()
        ticket.l1_assignee_id = None
        db.session.flush()
        record(TicketReleased(at=now or utcnow(), ticket=ticket, actor=None, before=before))
    return released


def release_after_move(school_id: int, now: datetime | None = None) -> int:
    """A school moved to another campus: its managers there can no longer hold its tickets."""
    holders = db.session.execute(
        select(Ticket.assignee_id, Ticket.l1_assignee_id).where(
            Ticket.school_id == school_id, Ticket.status.in_(OPEN_STATUSES)
        )
    ).all()
    ids = {user_id for row in holders for user_id in row if user_id is not None}
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    return sum(release_tickets(user, now) for user in users)
