"""The tickets of an internship: those the intern took on, those handed over to the interns
that nobody took on yet, and how many the intern co-solved (a proposal approved)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from campus.extensions import db
from campus.models import OPEN_STATUSES, Internship, InternWork, Ticket


@dataclass
class InternTickets:
    taken: list[Ticket]  # by the intern, open ones first
    available: list[Ticket]  # handed over, not taken, open, at the supervisor's campuses
    co_solved: int  # the intern's proposals the supervisor approved
    at_once: int  # of those, approved without a proposal sent back first


def tickets_for(internship: Internship) -> InternTickets:
    intern_id = internship.intern_id
    taken = db.session.scalars(
        select(Ticket)
        .join(InternWork, InternWork.ticket_id == Ticket.id)
        .where(InternWork.intern_id == intern_id)
        .options(selectinload(Ticket.school), selectinload(Ticket.intern_work))
        .order_by(Ticket.status.in_(OPEN_STATUSES).desc(), Ticket.created_at.desc())
        .limit(50)
    ).all()
    campus_ids = internship.supervisor.campus_ids
    available = []
    if campus_ids:
        available = db.session.scalars(
            select(Ticket)
            .join(InternWork, InternWork.ticket_id == Ticket.id)
            .where(
                InternWork.intern_id.is_(None),
                Ticket.campus_id.in_(campus_ids),
                Ticket.is_open_clause(),
            )
            .options(selectinload(Ticket.school))
            .order_by(Ticket.created_at)
            .limit(20)
        ).all()
    solved, at_once = db.session.execute(
        select(
            func.count(InternWork.ticket_id),
            func.count(InternWork.ticket_id).filter(InternWork.sent_back == 0),
        ).where(InternWork.intern_id == intern_id, InternWork.approved_at.is_not(None))
    ).one()
    return InternTickets(list(taken), list(available), solved or 0, at_once or 0)
