"""Every ticket action a person takes: its own conditions and changes, on top of one row of
the workflow table (campus/tickets/transitions.py checks the row, moves the ticket, writes
the history and records the domain event).

Services flush and record domain events, never commit: the unit of work
(campus/unit_of_work.py) commits once, and the handlers follow the events. Each takes
`now` so that tests and the demo can tell a ticket's life at any time.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from campus.exceptions import ErrorCollector, InvalidInput
from campus.models import FaultAnalysis, Ticket, TicketEvent, User
from campus.permissions import can_be_assigned
from campus.tickets.transitions import (
    TEXT_MAX,
    InvalidTransition,
    apply_rule,
    reopen_window_open,
)
from campus.tickets.workflow import REOPEN_DAYS, Action

ANALYSIS_FIELDS = ("symptoms", "steps_tried", "device_data", "reproduce")


def _take(ticket: Ticket, user: User) -> None:
    ticket.assignee = user
    if ticket.level == 1:
        ticket.l1_assignee = user


def claim(actor: User, ticket: Ticket, now: datetime | None = None) -> TicketEvent:
    """Take an unassigned ticket: a campus manager at level 1, the system house at level 2."""

    def check(_rule, _sides, _now):
        if ticket.assignee is not None and ticket.assignee_id != actor.id:
            raise InvalidTransition(
                _l("Already taken by %(name)s.", name=ticket.assignee.display_name)
            )
        _take(ticket, actor)

    return apply_rule(actor, ticket, Action.CLAIM, None, now, check)


def assign(
    actor: User, ticket: Ticket, assignee: User | None, now: datetime | None = None
) -> TicketEvent:
    """Hand the ticket to a colleague on the same level (or take it over)."""

    def check(_rule, _sides, _now):
        if assignee is None or not can_be_assigned(assignee, ticket, ticket.level):
            raise InvalidInput(
                _l("Please choose a colleague who works on this level and campus."),
                "assignee_id",
            )
        _take(ticket, assignee)

    return apply_rule(
        actor, ticket, Action.ASSIGN, assignee.display_name if assignee else "", now, check
    )


def reply(actor: User, ticket: Ticket, text: str, now: datetime | None = None) -> TicketEvent:
    """A public message: from the teacher, or from the support side to the teacher."""
    return apply_rule(actor, ticket, Action.REPLY, text, now)


def note(actor: User, ticket: Ticket, text: str, now: datetime | None = None) -> TicketEvent:
    """An internal note: the support side only, never shown to teachers."""
    return apply_rule(actor, ticket, Action.NOTE, text, now)


def wait(actor: User, ticket: Ticket, text: str, now: datetime | None = None) -> TicketEvent:
    """Ask the teacher a question; their reply puts the ticket back to work."""
    return apply_rule(actor, ticket, Action.WAIT, text, now)


def resolve(
    actor: User,
    ticket: Ticket,
    text: str,
    l1_capable: bool | None = None,
    now: datetime | None = None,
) -> TicketEvent:
    """Record the solution at the current level; the teacher confirms or reopens."""

    def check(_rule, _sides, when):
        level = ticket.level
        ticket.resolved_at = when
        ticket.resolved_level = level
        ticket.l1_capable = bool(l1_capable) if level == 2 else None
        if ticket.assignee is None or level == 1:
            _take(ticket, actor)

    return apply_rule(actor, ticket, Action.RESOLVE, text, now, check)


def escalate(
    actor: User, ticket: Ticket, analysis: dict, now: datetime | None = None
) -> TicketEvent:
    """Send the ticket to the system house with the manager's structured fault analysis."""
    cleaned = {key: (analysis.get(key) or "").strip() for key in ANALYSIS_FIELDS}

    def check(_rule, _sides, when):
        problems = ErrorCollector()
        messages = {
            "symptoms": _l("Please describe the symptoms."),
            "steps_tried": _l("Please list what you have already tried."),
            "device_data": _l("Please give the device data (model, serial number, OS)."),
            "reproduce": _l("Please say how to reproduce the fault."),
        }
        for key, message in messages.items():
            if not cleaned[key]:
                problems.add(key, message)
            elif len(cleaned[key]) > TEXT_MAX:
                problems.add(key, _l("The text is too long."))
        problems.raise_if_any()
        ticket.l1_assignee = actor
        ticket.assignee = None
        if ticket.escalated_at is None:
            ticket.escalated_at = when

    def then(event):
        ticket.analyses.append(
            FaultAnalysis(event=event, author=actor, created_at=event.created_at, **cleaned)
        )

    return apply_rule(actor, ticket, Action.ESCALATE, None, now, check, then)


def return_to_level1(
    actor: User, ticket: Ticket, text: str, now: datetime | None = None
) -> TicketEvent:
    """The system house hands the ticket back to the campus manager with a result or question."""

    def check(_rule, _sides, _when):
        ticket.assignee = _still_assignable(ticket.l1_assignee, ticket)

    return apply_rule(actor, ticket, Action.RETURN, text, now, check)


def confirm(
    actor: User, ticket: Ticket, text: str = "", now: datetime | None = None
) -> TicketEvent:
    """The teacher confirms the solution: the ticket is closed."""

    def check(_rule, _sides, when):
        ticket.closed_at = when

    return apply_rule(actor, ticket, Action.CONFIRM, text, now, check)


def reopen(actor: User, ticket: Ticket, text: str, now: datetime | None = None) -> TicketEvent:
    """The teacher says it is not solved (within 14 days): back to the campus manager."""

    def check(_rule, _sides, when):
        if not reopen_window_open(ticket, when):
            raise InvalidTransition(
                _l(
                    "Tickets can be reopened within %(days)d days of their resolution; "
                    "please report the problem again.",
                    days=REOPEN_DAYS,
                )
            )
        ticket.reopened_count = (ticket.reopened_count or 0) + 1
        ticket.resolved_at = None
        ticket.resolved_level = None
        ticket.closed_at = None
        ticket.l1_capable = None
        ticket.assignee = _still_assignable(ticket.l1_assignee, ticket)

    return apply_rule(actor, ticket, Action.REOPEN, text, now, check)


def cancel(actor: User, ticket: Ticket, text: str = "", now: datetime | None = None) -> TicketEvent:
    """The teacher withdraws the ticket, or a manager closes a duplicate with a reason."""

    def check(_rule, _sides, when):
        ticket.closed_at = when

    return apply_rule(actor, ticket, Action.CANCEL, text, now, check)


def _still_assignable(user: User | None, ticket: Ticket) -> User | None:
    return user if user is not None and can_be_assigned(user, ticket, 1) else None
