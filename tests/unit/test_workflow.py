"""The workflow table says exactly what the issue says, state by state and side by side."""

import pytest

from campus.events import TICKET_EVENTS
from campus.models import EventKind
from campus.models import TicketStatus as S
from campus.tickets.workflow import RULES, Side, actions_for
from campus.tickets.workflow import Action as A

R, M, H, P = Side.REPORTER, Side.MANAGER, Side.SYSTEM_HOUSE, Side.INTERN  # P: Praktikant*in
# Pupil interns (issue 19): the manager hands over, approves or sends back; the intern
# takes on, talks, notes and proposes (which needs the supervisor's approval).
SUPERVISION = {A.APPROVE, A.SEND_BACK}
INTERN_WORK = {A.TAKE, A.REPLY, A.NOTE, A.PROPOSE}

# Hand-written from the issue: (status, level) -> side -> what that side may do.
SPEC = {
    (S.NEW, 1): {
        R: {A.REPLY, A.CANCEL},
        M: {A.CLAIM, A.ASSIGN, A.REPLY, A.NOTE, A.RESOLVE, A.ESCALATE, A.CANCEL, A.HAND_OVER},
        H: {A.NOTE},
        P: {A.TAKE},
    },
    (S.IN_PROGRESS, 1): {
        R: {A.REPLY, A.CANCEL},
        M: {A.ASSIGN, A.REPLY, A.NOTE, A.WAIT, A.RESOLVE, A.ESCALATE, A.CANCEL, A.HAND_OVER}
        | SUPERVISION,
        H: {A.NOTE},
        P: INTERN_WORK,
    },
    (S.WAITING, 1): {
        R: {A.REPLY, A.CANCEL},
        M: {A.ASSIGN, A.REPLY, A.NOTE, A.RESOLVE, A.ESCALATE, A.CANCEL, A.HAND_OVER} | SUPERVISION,
        H: {A.NOTE},
        P: INTERN_WORK,
    },
    (S.ESCALATED, 2): {
        R: {A.REPLY, A.CANCEL},
        M: {A.REPLY, A.NOTE},
        H: {A.CLAIM, A.ASSIGN, A.REPLY, A.NOTE, A.RESOLVE, A.RETURN},
    },
    (S.IN_PROGRESS, 2): {
        R: {A.REPLY, A.CANCEL},
        M: {A.REPLY, A.NOTE},
        H: {A.ASSIGN, A.REPLY, A.NOTE, A.WAIT, A.RESOLVE, A.RETURN},
    },
    (S.WAITING, 2): {
        R: {A.REPLY, A.CANCEL},
        M: {A.REPLY, A.NOTE},
        H: {A.ASSIGN, A.REPLY, A.NOTE, A.RESOLVE, A.RETURN},
    },
    (S.RESOLVED, 1): {R: {A.CONFIRM, A.REOPEN}, M: {A.REPLY, A.NOTE}, H: {A.NOTE}},
    (S.RESOLVED, 2): {R: {A.CONFIRM, A.REOPEN}, M: {A.REPLY, A.NOTE}, H: {A.NOTE}},
    (S.CLOSED, 1): {R: {A.REOPEN}, M: {A.NOTE}, H: {A.NOTE}},
    (S.CLOSED, 2): {R: {A.REOPEN}, M: {A.NOTE}, H: {A.NOTE}},
    (S.CANCELLED, 1): {R: set(), M: {A.NOTE}, H: {A.NOTE}},
    (S.CANCELLED, 2): {R: set(), M: {A.NOTE}, H: {A.NOTE}},
}


@pytest.mark.parametrize(("state", "side"), [(k, side) for k in SPEC for side in (R, M, H, P)])
def test_table_allows_exactly_what_the_issue_says(state, side):
    status, level = state
    assert set(actions_for({side}, status, level)) == SPEC[state].get(side, set())


def test_nobody_without_a_side_may_do_anything():
    for status, level in SPEC:
        assert actions_for(set(), status, level) == []


def test_every_history_entry_kind_has_its_domain_event():
    assert set(TICKET_EVENTS) == set(EventKind)
    assert {rule.event for rule in RULES} == set(EventKind) - {EventKind.CREATED}
    assert all(isinstance(rule.event, EventKind) for rule in RULES)
