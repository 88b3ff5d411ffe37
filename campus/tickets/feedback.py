"""One-click feedback on a solution: the reporter's thumbs up or down and a comment,
once per ticket (the reports count it per campus, school and level, never per person)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campus.exceptions import Conflict, NotAllowed
from campus.extensions import db
from campus.models import Feedback, Ticket, TicketStatus, User, utcnow
from campus.models.feedback import COMMENT_MAX
from campus.permissions import can_give_feedback

RATED = (TicketStatus.CLOSED,)  # confirmed (or closed unanswered): a reopened one waits


def feedback_for(ticket: Ticket) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.ticket_id == ticket.id))


def asks_for_feedback(user: User, ticket: Ticket) -> bool:
    """The reporter of a closed (solved and confirmed, or left) ticket who has not said yet
    how it went; a resolved one asks first whether it works again."""
    return (
        can_give_feedback(user, ticket)
        and ticket.status == TicketStatus.CLOSED
        and ticket.resolved_at is not None
        and feedback_for(ticket) is None
    )


def give_feedback(
    actor: User, ticket: Ticket, up: bool, comment: str = "", now: datetime | None = None
) -> Feedback:
    if not can_give_feedback(actor, ticket):
        raise NotAllowed(_l("Only the teacher who reported the problem can rate its solution."))
    if ticket.status not in RATED or ticket.resolved_at is None:
        raise Conflict(_l("There is no solution to rate yet."))
    given = Feedback(
        ticket_id=ticket.id,
        campus_id=ticket.campus_id,
        school_id=ticket.school_id,
        level=ticket.level,
        rating=1 if up else -1,
        comment=(comment or "").strip()[:COMMENT_MAX],
        created_at=now or utcnow(),
    )
    if feedback_for(ticket) is not None:
        raise Conflict(_l("You have already rated this solution. Thank you!"))
    try:
        with db.session.begin_nested():  # the same answer sent twice at once: one row
            db.session.add(given)
    except IntegrityError as error:
        raise Conflict(_l("You have already rated this solution. Thank you!")) from error
    return given
