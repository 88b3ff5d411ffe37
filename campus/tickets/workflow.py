"""The ticket workflow as one table: which action, by whom, from which state, to which state.

Services consult this table before changing a ticket; nothing else sets
`ticket.status` or `ticket.level`. Who counts as which side of a ticket is
decided in campus/permissions.py (`sides_of`).
"""

from dataclasses import dataclass, field

from campus.models import EventKind as K
from campus.models import TicketStatus as S
from campus.tickets.workflow_terms import Action, Side

OPEN = frozenset({S.NEW, S.IN_PROGRESS, S.WAITING, S.ESCALATED})
WORKING = frozenset({S.IN_PROGRESS, S.WAITING})
EVERY = frozenset(S)
REOPEN_DAYS = 14  # a teacher may reopen this long after the resolution
STALE_DAYS = 7  # resolved tickets close themselves after this long without an answer


@dataclass(frozen=True)
class Rule:
    """One row: `side` may take `action` on a ticket at `level` in one of `states`."""

    action: Action
    side: Side
    levels: frozenset[int]
    states: frozenset[S]
    # Where the ticket goes: a status for all states, or per state; None keeps it.
    to: S | dict[S, S] | None = None
    to_level: int | None = None
    text_required: bool = False
    internal: bool = False  # the event's text is for the support side only
    # Where the ticket goes instead when nobody can hold it (back into the queue).
    unassigned_to: S | None = None
    extra: dict = field(default_factory=dict)
    event: K = field(kw_only=True)  # what the history entry records

    def target(self, status: S) -> S:
        if self.to is None:
            return status
        if isinstance(self.to, dict):
            return self.to.get(status, status)
        return self.to


L1, L2, BOTH = frozenset({1}), frozenset({2}), frozenset({1, 2})

RULES: tuple[Rule, ...] = (
    # Taking a ticket: only while nobody has it.
    Rule(Action.CLAIM, Side.MANAGER, L1, frozenset({S.NEW}), S.IN_PROGRESS, event=K.CLAIMED),
    Rule(
        Action.CLAIM,
        Side.SYSTEM_HOUSE,
        L2,
        frozenset({S.ESCALATED}),
        S.IN_PROGRESS,
        event=K.CLAIMED,
    ),
    Rule(
        Action.ASSIGN,
        Side.MANAGER,
        L1,
        frozenset({S.NEW}) | WORKING,
        {S.NEW: S.IN_PROGRESS},
        event=K.ASSIGNED,
    ),
    Rule(
        Action.ASSIGN,
        Side.SYSTEM_HOUSE,
        L2,
        frozenset({S.ESCALATED}) | WORKING,
        {S.ESCALATED: S.IN_PROGRESS},
        event=K.ASSIGNED,
    ),
    # Talking: a teacher's reply brings a waiting ticket back to work.
    Rule(
        Action.REPLY,
        Side.REPORTER,
        BOTH,
        OPEN,
        {S.WAITING: S.IN_PROGRESS},
        text_required=True,
        event=K.REPLIED,
    ),
    Rule(
        Action.REPLY, Side.MANAGER, BOTH, OPEN | {S.RESOLVED}, text_required=True, event=K.REPLIED
    ),
    Rule(Action.REPLY, Side.SYSTEM_HOUSE, L2, OPEN, text_required=True, event=K.REPLIED),
    Rule(Action.NOTE, Side.MANAGER, BOTH, EVERY, text_required=True, internal=True, event=K.NOTED),
    Rule(
        Action.NOTE,
        Side.SYSTEM_HOUSE,
        BOTH,
        EVERY,
        text_required=True,
        internal=True,
        event=K.NOTED,
    ),
    Rule(
        Action.WAIT,
        Side.MANAGER,
        L1,
        frozenset({S.IN_PROGRESS}),
        S.WAITING,
        text_required=True,
        event=K.WAITING,
    ),
    Rule(
        Action.WAIT,
        Side.SYSTEM_HOUSE,
        L2,
        frozenset({S.IN_PROGRESS}),
        S.WAITING,
        text_required=True,
        event=K.WAITING,
    ),
    # Endings at each level.
    Rule(
        Action.RESOLVE,
        Side.MANAGER,
        L1,
        frozenset({S.NEW}) | WORKING,
        S.RESOLVED,
        text_required=True,
        event=K.RESOLVED,
    ),
    Rule(
        Action.RESOLVE,
        Side.SYSTEM_HOUSE,
        L2,
        frozenset({S.ESCALATED}) | WORKING,
        S.RESOLVED,
        text_required=True,
        event=K.RESOLVED,
    ),
    Rule(
        Action.ESCALATE,
        Side.MANAGER,
        L1,
        frozenset({S.NEW}) | WORKING,
        S.ESCALATED,
        to_level=2,
        event=K.ESCALATED,
    ),
    Rule(
        Action.RETURN,
        Side.SYSTEM_HOUSE,
        L2,
        frozenset({S.ESCALATED}) | WORKING,
        S.IN_PROGRESS,
        to_level=1,
        text_required=True,
        internal=True,
        event=K.RETURNED,
        unassigned_to=S.NEW,
    ),
    # The teacher's answer to a resolution.
    Rule(Action.CONFIRM, Side.REPORTER, BOTH, frozenset({S.RESOLVED}), S.CLOSED, event=K.CONFIRMED),
    Rule(
        Action.REOPEN,
        Side.REPORTER,
        BOTH,
        frozenset({S.RESOLVED, S.CLOSED}),
        S.IN_PROGRESS,
        to_level=1,
        text_required=True,
        event=K.REOPENED,
        unassigned_to=S.NEW,
    ),
    Rule(Action.CANCEL, Side.REPORTER, BOTH, OPEN, S.CANCELLED, event=K.CANCELLED),
    Rule(
        Action.CANCEL,
        Side.MANAGER,
        L1,
        frozenset({S.NEW}) | WORKING,
        S.CANCELLED,
        text_required=True,
        event=K.CANCELLED,
    ),
    # Pupil interns (campus/tickets/intern_work.py): a campus manager hands a ticket at
    # level 1 over to interns; an intern takes it on, talks, notes and proposes a
    # solution, which takes effect only when the intern's supervisor approves it
    # (four-eyes) or is sent back with a comment.
    Rule(
        Action.HAND_OVER,
        Side.MANAGER,
        L1,
        frozenset({S.NEW}) | WORKING,
        internal=True,
        event=K.HANDED_OVER,
    ),
    Rule(
        Action.TAKE,
        Side.INTERN,
        L1,
        frozenset({S.NEW}) | WORKING,
        {S.NEW: S.IN_PROGRESS},
        internal=True,
        event=K.TAKEN,
    ),
    Rule(Action.REPLY, Side.INTERN, L1, WORKING, text_required=True, event=K.REPLIED),
    Rule(Action.NOTE, Side.INTERN, L1, WORKING, text_required=True, internal=True, event=K.NOTED),
    Rule(
        Action.PROPOSE,
        Side.INTERN,
        L1,
        WORKING,
        text_required=True,
        internal=True,
        event=K.PROPOSED,
    ),
    Rule(Action.APPROVE, Side.MANAGER, L1, WORKING, S.RESOLVED, event=K.RESOLVED),
    Rule(
        Action.SEND_BACK,
        Side.MANAGER,
        L1,
        WORKING,
        text_required=True,
        internal=True,
        event=K.SENT_BACK,
    ),
    # Resolved tickets nobody confirmed or reopened within STALE_DAYS.
    Rule(Action.CLOSE, Side.SYSTEM, BOTH, frozenset({S.RESOLVED}), S.CLOSED, event=K.CLOSED),
    # The assignee was deactivated or moved: the ticket goes back into its queue.
    Rule(
        Action.RELEASE,
        Side.SYSTEM,
        L1,
        WORKING,
        {S.IN_PROGRESS: S.NEW},
        internal=True,
        event=K.RELEASED,
    ),
    Rule(
        Action.RELEASE,
        Side.SYSTEM,
        L2,
        WORKING,
        {S.IN_PROGRESS: S.ESCALATED},
        internal=True,
        event=K.RELEASED,
    ),
)

SUPPORT_SIDES = frozenset({Side.MANAGER, Side.SYSTEM_HOUSE})
# Taken by Campus itself, never offered to a person.
SYSTEM_ACTIONS = frozenset({Action.CLOSE, Action.RELEASE})
# Offered only when the ticket's intern work allows it (campus/tickets/intern_work.py).
INTERN_ACTIONS = frozenset(
    {Action.HAND_OVER, Action.TAKE, Action.PROPOSE, Action.APPROVE, Action.SEND_BACK}
)
# Support-side actions the teacher sees as a response (first_response_at).
RESPONSES = frozenset(
    {
        Action.CLAIM,
        Action.ASSIGN,
        Action.REPLY,
        Action.WAIT,
        Action.RESOLVE,
        Action.ESCALATE,
        Action.CANCEL,
    }
)


def rule_for(action: Action, sides: set[Side], status: S, level: int) -> Rule | None:
    """The row that lets one of `sides` take `action` now, or None."""
    for rule in RULES:
        if (
            rule.action == action
            and rule.side in sides
            and status in rule.states
            and level in rule.levels
        ):
            return rule
    return None


def actions_for(sides: set[Side], status: S, level: int) -> list[Action]:
    """Every action open to these sides in this state, in table order, once each."""
    seen: list[Action] = []
    for rule in RULES:
        if (
            rule.side in sides
            and status in rule.states
            and level in rule.levels
            and rule.action not in seen
        ):
            seen.append(rule.action)
    return seen


def known_elsewhere(action: Action, sides: set[Side]) -> bool:
    """Whether these sides could take `action` in some other state (for the refusal text)."""
    return any(rule.action == action and rule.side in sides for rule in RULES)
