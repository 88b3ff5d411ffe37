"""Supervised work of pupil interns on tickets (issue 19), on top of the workflow table.

A campus manager hands a level-1 ticket over to the interns. An intern of that campus
takes it on (it is then hers alone; the ticket stays held by her supervisor, who answers
for it), replies to the teacher, notes, and proposes a solution. The proposal changes
nothing yet: only the intern's supervisor approves it, which resolves the ticket with the
proposal as its solution, or sends it back with a comment (four-eyes).
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from campus.exceptions import Conflict, NotAllowed
from campus.extensions import db
from campus.models import EventKind, Internship, InternWork, Ticket, TicketEvent, User
from campus.reports.period import today_in_berlin
from campus.tickets.transitions import InvalidTransition, apply_rule
from campus.tickets.workflow import INTERN_ACTIONS, Action, Side


def work_on(ticket: Ticket) -> InternWork | None:
    return ticket.intern_work


def _last_day_supervised(user: User):
    """The last day of the latest internship `user` supervises, or None (never did)."""
    return db.session.scalar(
        select(func.max(Internship.ends_on)).where(Internship.supervisor_id == user.id)
    )


def supervises_interns(user: User) -> bool:
    """Whether `user` supervises an intern whose internship has not ended (she may hand
    tickets over to the interns)."""
    last = _last_day_supervised(user)
    return last is not None and last >= today_in_berlin()


def hand_over(actor: User, ticket: Ticket, now: datetime | None = None) -> TicketEvent:
    """Offer the ticket to the campus's interns."""

    def check(_rule, _sides, when):
        if not supervises_interns(actor):
            raise NotAllowed(_l("Only a supervisor of interns hands tickets over to them."))
        if work_on(ticket) is not None:
            raise InvalidTransition(_l("This ticket is already handed over to the interns."))
        db.session.add(InternWork(ticket=ticket, handed_over_by_id=actor.id, handed_over_at=when))

    return apply_rule(actor, ticket, Action.HAND_OVER, None, now, check)


def take(actor: User, ticket: Ticket, now: datetime | None = None) -> TicketEvent:
    """An intern takes the ticket on; her supervisor holds it if nobody does."""

    def check(_rule, _sides, when):
        work = work_on(ticket)
        if work.intern_id is not None:
            raise InvalidTransition(_l("Already taken by %(name)s.", name=work.intern.display_name))
        internship = actor.internship
        if not internship.supervisor.active:
            raise Conflict(
                _l("Your supervisor is not available at the moment: please ask the administration.")
            )
        work.intern_id, work.taken_at = actor.id, when
        work.supervisor_id = internship.supervisor_id
        if ticket.assignee is None:
            ticket.assignee = internship.supervisor
            ticket.l1_assignee = internship.supervisor

    return apply_rule(actor, ticket, Action.TAKE, None, now, check)


def propose(actor: User, ticket: Ticket, text: str, now: datetime | None = None) -> TicketEvent:
    """An intern's solution, waiting for her supervisor: nothing changes for the teacher."""

    def check(_rule, _sides, when):
        work = work_on(ticket)
        if work.proposal is not None:
            raise InvalidTransition(
                _l("A proposed solution is already waiting for the supervisor.")
            )
        work.proposal, work.proposed_at = text.strip(), when

    return apply_rule(actor, ticket, Action.PROPOSE, text, now, check)


def _supervisor_check(actor: User, ticket: Ticket) -> InternWork:
    """The actor first (nobody else learns whether a proposal waits), then the proposal."""
    work = work_on(ticket)
    if work is None or work.supervisor_id != actor.id:
        raise NotAllowed(_l("Only the intern's supervisor approves or sends back a proposal."))
    if work.proposal is None:
        raise InvalidTransition(_l("No proposed solution is waiting."))
    return work


def proposal_event_id(ticket: Ticket) -> int | None:
    """The event of the proposal waiting now (None: none waits)."""
    if ticket.intern_work is None or ticket.intern_work.proposal is None:
        return None
    return max((e.id for e in ticket.events if e.kind == EventKind.PROPOSED), default=None)


def approve(
    actor: User, ticket: Ticket, proposal: int | None, now: datetime | None = None
) -> TicketEvent:
    """The supervisor approves the proposal she read (`proposal`: its event's id): it
    becomes the ticket's solution (level 1). A proposal dropped and made anew since she
    read it is not approved unread."""
    work = _supervisor_check(actor, ticket)
    if proposal is None or proposal != proposal_event_id(ticket):
        raise Conflict(
            _l("The proposed solution has changed since you read it. Please read it again.")
        )
    proposal = work.proposal

    def check(_rule, _sides, when):
        _supervisor_check(actor, ticket)
        ticket.resolved_at = when
        ticket.resolved_level = 1
        ticket.l1_capable = None
        work.proposal, work.approved_at = None, when

    return apply_rule(actor, ticket, Action.APPROVE, proposal, now, check)


def send_back(actor: User, ticket: Ticket, text: str, now: datetime | None = None) -> TicketEvent:
    """The supervisor sends the proposal back with a comment; the intern tries again."""

    def check(_rule, _sides, _when):
        work = _supervisor_check(actor, ticket)
        work.proposal, work.proposed_at = None, None
        work.sent_back += 1

    return apply_rule(actor, ticket, Action.SEND_BACK, text, now, check)


def check_intern_action(actor: User, ticket: Ticket, action: Action, sides: set[Side]) -> None:
    """An intern acts only on a ticket she took on (taking it is the first step), and only
    during her internship (the login ends with it; this covers an open page)."""
    if Side.INTERN not in sides or sides - {Side.INTERN}:
        return
    if not actor.is_active:
        raise NotAllowed(_l("Your internship has ended."))
    work = work_on(ticket)
    if action != Action.TAKE and (work is None or work.intern_id != actor.id):
        raise Conflict(_l("Please take the ticket on first."))


def offered(actor: User, ticket: Ticket, actions: list[Action], sides: set[Side]) -> list[Action]:
    """The table's actions minus those the intern work rules out now (the page offers
    what would go through). Read only for interns and for supervisors of interns: for
    every other campus manager the intern actions simply drop out."""
    last = None if Side.INTERN in sides else _last_day_supervised(actor)
    if Side.INTERN not in sides and last is None:  # never supervised: none of these steps
        return [a for a in actions if a not in INTERN_ACTIONS]
    current = last is not None and last >= today_in_berlin()
    work = work_on(ticket)
    only_intern = sides == {Side.INTERN}
    result = []
    for action in actions:
        if action == Action.HAND_OVER and (work is not None or not current):
            continue
        if action == Action.TAKE and (work is None or work.intern_id is not None):
            continue
        if action in (Action.APPROVE, Action.SEND_BACK) and (
            work is None or work.proposal is None or work.supervisor_id != actor.id
        ):
            continue
        if action == Action.PROPOSE and work is not None and work.proposal is not None:
            continue
        if only_intern and action != Action.TAKE and (work is None or work.intern_id != actor.id):
            continue
        result.append(action)
    return result


def drop_stale_proposal(event) -> None:
    """A handler (campus/handlers.py): when the ticket moves on without the proposal
    (escalated, returned, resolved or cancelled by someone, reopened), a proposal still
    waiting speaks of a ticket that no longer is: it is dropped, the intern may propose
    anew, and nobody can approve the old text."""
    work = event.ticket.intern_work
    if work is not None and work.proposal is not None:
        work.proposal, work.proposed_at = None, None
