"""One row of the workflow table, applied: check the actor and the state, move the ticket,
write its history entry and record the domain event. Every ticket action, by a person or
by Campus itself, goes through `apply_rule`."""

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l

from campus.events import TICKET_EVENTS
from campus.exceptions import Conflict, InvalidInput, NotAllowed
from campus.extensions import db
from campus.labels import ACTION_LABELS, STATUS_LABELS
from campus.models import Ticket, TicketEvent, TicketStatus, User, utcnow
from campus.permissions import sides_of
from campus.tickets.workflow import (
    INTERN_ACTIONS,
    REOPEN_DAYS,
    RESPONSES,
    STALE_DAYS,
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


def record_event(
    ticket, actor, kind, now, old_status, new_status, old_level, new_level, text="", internal=False
) -> TicketEvent:
    # Through the event's side: a ticket's history that is not loaded stays unloaded.
    event = TicketEvent(
        ticket=ticket,
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
    db.session.add(event)
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
    if ticket.anonymised_at is not None:  # its history is gone for good: nothing is added
        raise Conflict(_l("This ticket was anonymised: nothing can be added to it."))
    sides = {Side.SYSTEM} if actor is None else sides_of(actor, ticket)
    rule = rule_for(action, sides, ticket.status, ticket.level)
    if rule is None:
        raise _refusal(actor, ticket, action, sides)
    if Side.INTERN in sides:
        from campus.tickets.intern_work import check_intern_action

        check_intern_action(actor, ticket, action, sides)
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
    answering = rule.side in SUPPORT_SIDES or rule.side == Side.INTERN  # an intern answers too
    if answering and action in RESPONSES and ticket.first_response_at is None:
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


def available_actions(actor: User, ticket: Ticket, now: datetime | None = None) -> list[Action]:
    """What the ticket page offers `actor` now: the table's actions, minus those whose own
    condition already rules them out (a reopen after the deadline)."""
    now = now or utcnow()
    if ticket.anonymised_at is not None:
        return []
    sides = sides_of(actor, ticket)
    actions = actions_for(sides, ticket.status, ticket.level)
    if Action.REOPEN in actions and not reopen_window_open(ticket, now):
        actions.remove(Action.REOPEN)
    if INTERN_ACTIONS.intersection(actions) or Side.INTERN in sides:
        from campus.tickets.intern_work import offered

        actions = offered(actor, ticket, actions, sides)
    return actions


def reopen_window_open(ticket: Ticket, now: datetime) -> bool:
    """A teacher may reopen within REOPEN_DAYS of the resolution."""
    now = now.astimezone(UTC)
    return ticket.resolved_at is not None and now - ticket.resolved_at.astimezone(UTC) <= timedelta(
        days=REOPEN_DAYS
    )


def reopen_deadline(ticket: Ticket) -> datetime | None:
    """Until when the teacher may reopen a resolved or closed ticket."""
    if ticket.resolved_at is None or ticket.status not in (
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
    ):
        return None
    return ticket.resolved_at + timedelta(days=REOPEN_DAYS)


def closes_by_itself(ticket: Ticket) -> datetime | None:
    """When a resolved ticket that nobody confirms is closed (housekeeping.close_stale)."""
    if ticket.status != TicketStatus.RESOLVED or ticket.resolved_at is None:
        return None
    return ticket.resolved_at + timedelta(days=STALE_DAYS)
