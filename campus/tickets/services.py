"""Every ticket action: check the workflow table and the actor, change, record the event.

Services flush and record domain events, never commit: the unit of work
(campus/unit_of_work.py) commits once, and the handlers follow the events. Each takes
`now` so that tests and the demo can tell a ticket's life at any time.
"""

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l

from campus.events import TICKET_EVENTS
from campus.exceptions import Conflict, ErrorCollector, InvalidInput, NotAllowed
from campus.extensions import db
from campus.labels import ACTION_LABELS, STATUS_LABELS
from campus.models import (
    FaultAnalysis,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from campus.permissions import can_be_assigned, sides_of
from campus.tickets.workflow import (
    REOPEN_DAYS,
    RESPONSES,
    SUPPORT_SIDES,
    Action,
    Rule,
    Side,
    actions_for,
    known_elsewhere,
    rule_for,
)
from campus.unit_of_work import record


class InvalidTransition(Conflict):
    """The action is not possible in the ticket's current state."""


TEXT_MAX = 10_000
ANALYSIS_FIELDS = ("symptoms", "steps_tried", "device_data", "reproduce")


# --- the workflow ------------------------------------------------------------


def record_event(
    ticket, actor, kind, now, old_status, new_status, old_level, new_level, text="", internal=False
) -> TicketEvent:
    event = TicketEvent(
        actor=actor,
        kind=kind,
        created_at=now,
        old_status=old_status,
        new_status=new_status,
        old_level=old_level,
        new_level=new_level,
        text=text,
        internal=internal,
    )
    ticket.events.append(event)
    ticket.updated_at = now
    return event


def _refusal(actor: User, ticket: Ticket, action: Action, sides: set[Side]):
    """Why the action is refused, in one sentence the user understands."""
    name = ACTION_LABELS[action]
    if not sides:
        return NotAllowed(_l("You may not change this ticket."))
    if action == Action.CLAIM and ticket.assignee is not None:
        return InvalidTransition(
            _l("Already taken by %(name)s.", name=ticket.assignee.display_name)
        )
    if not known_elsewhere(action, sides):
        return NotAllowed(_l("You cannot “%(action)s” on this ticket.", action=name))
    return InvalidTransition(
        _l(
            "“%(action)s” is not possible while the ticket is “%(status)s” at level %(level)d.",
            action=name,
            status=STATUS_LABELS[ticket.status],
            level=ticket.level,
        )
    )


def _authorize(actor: User | None, ticket: Ticket, action: Action) -> tuple[Rule, set[Side]]:
    sides = {Side.SYSTEM} if actor is None else sides_of(actor, ticket)
    rule = rule_for(action, sides, ticket.status, ticket.level)
    if rule is None:
        raise _refusal(actor, ticket, action, sides)
    return rule, sides


def _text(rule: Rule, text: str | None) -> str:
    text = (text or "").strip()
    if rule.text_required and not text:
        raise InvalidInput(_l("Please write a text for this step."), "text")
    if len(text) > TEXT_MAX:
        raise InvalidInput(_l("The text is too long."), "text")
    return text


def apply_rule(
    actor: User | None,
    ticket: Ticket,
    action: Action,
    text: str | None,
    now: datetime | None,
    check=None,
    then=None,
) -> TicketEvent:
    """Run one row of the workflow table: check, move, write the history, record the
    domain event. `check` adds the action's own conditions and changes and runs before
    anything is written; `then` adds to the history entry before the event is recorded."""
    now = (now or utcnow()).astimezone(UTC)
    rule, sides = _authorize(actor, ticket, action)
    text = _text(rule, text)
    before = ticket.snapshot()
    if check is not None:
        check(rule, sides, now)
    old_status, old_level = ticket.status, ticket.level
    ticket.status = rule.target(ticket.status)
    if rule.unassigned_to is not None and ticket.assignee is None:
        ticket.status = rule.unassigned_to
    if rule.to_level is not None:
        ticket.level = rule.to_level
    if rule.side in SUPPORT_SIDES and action in RESPONSES and ticket.first_response_at is None:
        ticket.first_response_at = now
    event = record_event(
        ticket,
        actor,
        rule.event,
        now,
        old_status,
        ticket.status,
        old_level,
        ticket.level,
        text,
        rule.internal,
    )
    if then is not None:
        then(event)
    db.session.flush()
    record(
        TICKET_EVENTS[rule.event](at=now, ticket=ticket, actor=actor, before=before, trail=event)
    )
    return event


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
        if not _reopen_window_open(ticket, when):
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


def available_actions(actor: User, ticket: Ticket, now: datetime | None = None) -> list[Action]:
    """What the ticket page offers `actor` now: the table's actions, minus those whose own
    condition already rules them out (a reopen after the deadline)."""
    now = now or utcnow()
    actions = actions_for(sides_of(actor, ticket), ticket.status, ticket.level)
    if Action.REOPEN in actions and not _reopen_window_open(ticket, now):
        actions.remove(Action.REOPEN)
    return actions


def _reopen_window_open(ticket: Ticket, now: datetime) -> bool:
    now = now.astimezone(UTC)
    return ticket.resolved_at is not None and now - ticket.resolved_at.astimezone(UTC) <= timedelta(
        days=REOPEN_DAYS
    )


def _still_assignable(user: User | None, ticket: Ticket) -> User | None:
    return user if user is not None and can_be_assigned(user, ticket, 1) else None
