"""Every action of the registry works through the ticket page and through the API.

For each entry of `campus.tickets.actions.ACTIONS` the test finds, in the workflow table, a
state and a person who may take the action, takes it once on the page (the action's form,
fields prefixed with its name) and once through `POST /api/v1/tickets/<id>/actions` (its
body schema), and checks that the history got the action's event and that the ticket
moved as the table says. A new action needs no new test here.
"""

import pytest
from marshmallow import fields

from campus.extensions import db
from campus.permissions import sides_of
from campus.tickets import intern_work
from campus.tickets.actions import ACTIONS
from campus.tickets.workflow import SYSTEM_ACTIONS, Action, Rule, rule_for
from tests.conftest import PASSWORD
from tests.functional.test_ticket_actions import STATES, form_data, user_for

PEOPLE = ("reporter", "manager", "system_house")


def situation(world, action: Action) -> tuple[str, str, Rule]:
    """The first state (in the tests' order) and person the workflow lets take `action`."""
    for state in STATES:
        ticket = world.ticket(state)
        for role in PEOPLE:
            sides = sides_of(user_for(world, role), ticket)
            rule = rule_for(action, sides, ticket.status, ticket.level)
            if rule is not None:
                return state, role, rule
    raise AssertionError(f"nobody may ever take {action}")


def api_body(action: Action, form: dict) -> dict:
    """The page's form fields as the action's JSON body (nested where its schema nests)."""
    values = {name.removeprefix(f"{action.value}-"): value for name, value in form.items()}
    declared = ACTIONS[action].body().fields
    body = {"action": action.value}
    for name, field in declared.items():
        if isinstance(field, fields.Nested):
            body[name] = {k: v for k, v in values.items() if k not in declared}
        elif name in values:
            value = values[name]
            body[name] = int(value) if isinstance(field, fields.Integer) else value
    return body


def moved_as_the_table_says(ticket, rule: Rule, before: tuple, actor) -> None:
    status, level, events = before
    db.session.refresh(ticket)
    assert len(ticket.events) == events + 1
    event = ticket.events[-1]
    assert (event.kind, event.actor_id) == (rule.event, actor.id)
    expected = rule.target(status)
    if rule.unassigned_to is not None and ticket.assignee_id is None:
        expected = rule.unassigned_to
    assert (ticket.status, event.old_status, event.new_status) == (expected, status, expected)
    assert ticket.level == (rule.to_level or level)
    assert event.internal == rule.internal


def test_the_registry_holds_every_action_a_person_takes():
    assert set(ACTIONS) == set(Action) - SYSTEM_ACTIONS


# The interns' steps need a ticket at the right point of the intern work: who takes the
# step, and how many of hand over, take, propose came before it.
INTERN_STAGE = {
    Action.HAND_OVER: ("manager", 0),
    Action.TAKE: ("intern", 1),
    Action.PROPOSE: ("intern", 2),
    Action.APPROVE: ("manager", 3),
    Action.SEND_BACK: ("manager", 3),
}


def _intern(world):
    if not hasattr(world, "intern"):
        from datetime import timedelta

        from campus.interns.services import create_internship
        from campus.reports.period import today_in_berlin

        today = today_in_berlin()
        world.intern = create_internship(
            world.admin, email="praktikum@example.org", display_name="Pia",
            starts_on=today, ends_on=today + timedelta(days=5), supervisor_id=world.manager.id,
        ).intern  # fmt: skip
        world.intern.set_password(PASSWORD)
        db.session.commit()
    return world.intern


def prepared(world, action: Action):
    """(ticket, person, rule) for an intern step, the ticket brought to where it may go."""
    role, steps = INTERN_STAGE[action]
    intern = _intern(world)
    ticket = world.ticket("new")
    for step in (
        lambda: intern_work.hand_over(world.manager, ticket),
        lambda: intern_work.take(intern, ticket),
        lambda: intern_work.propose(intern, ticket, "Kabel getauscht."),
    )[:steps]:
        step()
    db.session.commit()
    user = intern if role == "intern" else world.manager
    return ticket, user, rule_for(action, sides_of(user, ticket), ticket.status, ticket.level)


def _situation(world, action: Action):
    """A fresh ticket where `action` may be taken, the person, and the table's row."""
    if action in INTERN_STAGE:
        return prepared(world, action)
    state, role, rule = situation(world, action)
    return world.ticket(state), user_for(world, role), rule


@pytest.mark.parametrize("action", list(ACTIONS), ids=lambda a: a.value)
def test_each_action_works_on_the_page_and_through_the_api(
    client, world, as_user, token_for, action
):
    on_page, user, rule = _situation(world, action)
    before = (on_page.status, on_page.level, len(on_page.events))
    response = as_user(user).post(
        f"/tickets/{on_page.id}/{action.value}", data=form_data(world, on_page, action)
    )
    assert response.status_code == 302, response.text[:2000]
    moved_as_the_table_says(on_page, rule, before, user)

    by_api, _user, _rule = _situation(world, action)
    before = (by_api.status, by_api.level, len(by_api.events))
    body = api_body(action, form_data(world, by_api, action))
    response = client.post(
        f"/api/v1/tickets/{by_api.id}/actions", headers=token_for(user), json=body
    )
    assert response.status_code == 200, response.json
    moved_as_the_table_says(by_api, rule, before, user)
    assert response.json["status"] == by_api.status
    assert response.json["events"][-1]["kind"] == rule.event
