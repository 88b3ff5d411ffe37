"""Every action from every state, for every side, through HTTP: offered and done exactly when
the workflow allows it; otherwise refused with a reason and nothing changed."""

import re

import pytest

from campus.extensions import db
from campus.models import Ticket
from campus.tickets import intern_work
from campus.tickets.workflow import INTERN_ACTIONS, SYSTEM_ACTIONS, Action, Side
from tests.unit.test_workflow import SPEC

# Test states -> (status, level) key of the spec
STATES = {
    "new": ("new", 1),
    "in_progress": ("in_progress", 1),
    "waiting": ("waiting", 1),
    "escalated": ("escalated", 2),
    "in_progress_l2": ("in_progress", 2),
    "waiting_l2": ("waiting", 2),
    "returned": ("in_progress", 1),
    "resolved": ("resolved", 1),
    "resolved_l2": ("resolved", 2),
    "closed": ("closed", 1),
    "cancelled": ("cancelled", 1),
}
NEVER_ESCALATED = {"new", "in_progress", "waiting", "resolved", "closed", "cancelled"}
ROLES = ["reporter", "manager", "system_house", "admin"]


def expected_actions(state: str, role: str) -> set[Action] | None:
    """None: the user may not even see the ticket."""
    if role == "admin":
        return set()
    if role == "system_house" and state in NEVER_ESCALATED:
        return None
    status, level = STATES[state]
    # A campus manager without interns is offered none of their steps (and is refused
    # them): supervision is tested in test_intern_actions.py.
    return {a for a in SPEC[(status, level)][Side(role)] if a not in INTERN_ACTIONS}


def user_for(world, role):
    return {
        "reporter": world.teacher,
        "manager": world.manager,
        "system_house": world.system_house,
        "admin": world.admin,
    }[role]


def form_data(world, ticket, action: Action) -> dict:
    if action in (Action.CLAIM, Action.CONFIRM, Action.HAND_OVER, Action.TAKE):
        return {}
    if action == Action.APPROVE:  # the proposal the page shows
        return {"approve-proposal": str(intern_work.proposal_event_id(ticket) or "")}
    if action == Action.ASSIGN:
        colleague = world.colleague if ticket.level == 1 else world.system_house2
        return {"assign-assignee_id": str(colleague.id)}
    if action == Action.ESCALATE:
        return {
            "escalate-symptoms": "Kein Bild",
            "escalate-steps_tried": "Kabel getauscht",
            "escalate-device_data": "Epson EB-695Wi",
            "escalate-reproduce": "Immer",
        }
    return {f"{action.value}-text": "Ein Text für diesen Schritt."}


def snapshot(ticket: Ticket):
    db.session.refresh(ticket)
    return (
        ticket.status,
        ticket.level,
        ticket.assignee_id,
        len(ticket.events),
        ticket.resolved_at,
        ticket.closed_at,
    )


def offered(html: str, ticket_id: int) -> set[Action]:
    found = re.findall(rf'action="/tickets/{ticket_id}/(\w+)"', html)
    # The reporter's feedback on a solution is no step of the workflow (test_feedback.py).
    return {Action(a) for a in found if a != "feedback"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(STATES))
def test_each_side_may_do_exactly_what_the_workflow_allows(world, as_user, state, role):
    expected = expected_actions(state, role)
    browser = as_user(user_for(world, role))
    ticket = world.ticket(state)
    page = browser.get(f"/tickets/{ticket.id}")

    if expected is None:
        assert page.status_code == 404
        for action in Action:
            if action not in SYSTEM_ACTIONS:
                response = browser.post(
                    f"/tickets/{ticket.id}/{action.value}", data=form_data(world, ticket, action)
                )
                assert response.status_code == 404
        return

    assert page.status_code == 200
    assert offered(page.text, ticket.id) == expected

    for action in Action:
        if action in SYSTEM_ACTIONS or action in expected:
            continue
        before = snapshot(ticket)
        response = browser.post(
            f"/tickets/{ticket.id}/{action.value}", data=form_data(world, ticket, action)
        )
        assert response.status_code in (403, 409), (action, response.status_code)
        assert 'class="alert alert-danger"' in response.text
        assert snapshot(ticket) == before, action

    for action in expected:
        fresh = world.ticket(state)
        events_before = len(fresh.events)
        response = browser.post(
            f"/tickets/{fresh.id}/{action.value}", data=form_data(world, fresh, action)
        )
        assert response.status_code == 302, (action, response.text[:2000])
        db.session.refresh(fresh)
        assert len(fresh.events) == events_before + 1
        assert fresh.events[-1].actor_id == user_for(world, role).id


def test_unknown_action_is_not_found(world, as_user):
    ticket = world.ticket("new")
    browser = as_user(world.manager)
    assert browser.post(f"/tickets/{ticket.id}/explode").status_code == 404
    for action in SYSTEM_ACTIONS:
        assert browser.post(f"/tickets/{ticket.id}/{action.value}").status_code == 404
