"""Every intern step in every state, through HTTP (issue 19): for the intern and for her
supervisor, what is offered and goes through is exactly what the workflow table allows at
that point of the intern work; everything else is refused with nothing changed. Whatever
an intern proposes waits for the supervisor's approval."""

from datetime import timedelta

import pytest

from campus.extensions import db
from campus.interns.services import create_internship
from campus.models import InternWork, TicketStatus
from campus.reports.period import today_in_berlin
from campus.tickets import intern_work, services
from campus.tickets.workflow import INTERN_ACTIONS, SYSTEM_ACTIONS, Action, Side
from tests.conftest import PASSWORD
from tests.functional.test_ticket_actions import STATES, expected_actions, form_data, offered
from tests.tickets_helpers import ANALYSIS
from tests.unit.test_workflow import SPEC

# Where the intern work stands: nothing; handed over; taken on by the intern (or another);
# a proposal waiting for the supervisor.
STAGES = ("none", "handed_over", "taken", "taken_by_other", "proposed")


def _after_taking(world, state: str) -> list:
    """From a ticket an intern took on (in progress at level 1, held by the supervisor)
    on into `state`."""
    m, sh, teacher = world.manager, world.system_house, world.teacher
    return {
        "in_progress": [],
        "waiting": [lambda t: services.wait(m, t, "Seit wann?")],
        "escalated": [lambda t: services.escalate(m, t, ANALYSIS)],
        "in_progress_l2": [
            lambda t: services.escalate(m, t, ANALYSIS),
            lambda t: services.claim(sh, t),
        ],
        "waiting_l2": [
            lambda t: services.escalate(m, t, ANALYSIS),
            lambda t: services.claim(sh, t),
            lambda t: services.wait(sh, t, "Welche Firmware?"),
        ],
        "returned": [
            lambda t: services.escalate(m, t, ANALYSIS),
            lambda t: services.return_to_level1(sh, t, "Bitte Lampe prüfen."),
        ],
        "resolved": [lambda t: services.resolve(m, t, "Kabel getauscht.")],
        "resolved_l2": [
            lambda t: services.escalate(m, t, ANALYSIS),
            lambda t: services.claim(sh, t),
            lambda t: services.resolve(sh, t, "Mainboard getauscht.", l1_capable=False),
        ],
        "closed": [
            lambda t: services.resolve(m, t, "Kabel getauscht."),
            lambda t: services.confirm(teacher, t),
        ],
        "cancelled": [lambda t: services.cancel(teacher, t, "Doch nicht kaputt.")],
    }[state]


# (state, stage) pairs that can happen: a ticket taken on is in progress at least; a
# proposal waits only while the ticket is worked on at level 1 (moving on drops it).
CASES = [
    (state, stage)
    for state in STATES
    for stage in STAGES
    if not (stage in ("taken", "taken_by_other", "proposed") and state == "new")
    and not (stage == "proposed" and state not in ("in_progress", "waiting"))
    and not (stage == "taken_by_other" and state not in ("in_progress", "waiting", "resolved"))
]


@pytest.fixture
def interns(world):
    today = today_in_berlin()
    people = []
    for name in ("pia", "ole"):
        intern = create_internship(
            world.admin, email=f"{name}@schule.example", display_name=name.title(),
            starts_on=today, ends_on=today + timedelta(days=10), supervisor_id=world.manager.id,
        ).intern  # fmt: skip
        intern.set_password(PASSWORD)
        people.append(intern)
    db.session.commit()
    return people


def build(world, interns, state: str, stage: str):
    pia, ole = interns
    m = world.manager
    if stage == "none":
        return world.ticket(state)
    hand_over = [lambda t: intern_work.hand_over(m, t)]
    if stage == "handed_over":
        return world.ticket(state, first=hand_over)
    taker = ole if stage == "taken_by_other" else pia
    steps = [*hand_over, lambda t: intern_work.take(taker, t)]
    if stage == "proposed":
        steps.append(lambda t: intern_work.propose(pia, t, "Kabel getauscht."))
    return world.ticket("new", first=[*steps, *_after_taking(world, state)])


def expected_for_intern(stage: str, state: str) -> set[Action] | None:
    """None: she may not even see the ticket (not handed over, another intern's, or handed
    over but no longer open at level 1 for the taking)."""
    if stage in ("none", "taken_by_other"):
        return None
    if stage == "handed_over" and state not in ("new", "in_progress", "waiting", "returned"):
        return None
    allowed = SPEC[STATES[state]].get(Side.INTERN, set())
    if stage == "handed_over":
        return allowed & {Action.TAKE}
    return allowed - {Action.TAKE} - ({Action.PROPOSE} if stage == "proposed" else set())


def expected_for_supervisor(stage: str, state: str) -> set[Action]:
    """The supervisor's intern steps (her other steps: test_ticket_actions.py)."""
    allowed = SPEC[STATES[state]][Side.MANAGER] & INTERN_ACTIONS
    if stage != "none":
        allowed -= {Action.HAND_OVER}
    if stage != "proposed":
        allowed -= {Action.APPROVE, Action.SEND_BACK}
    return allowed


def snapshot(ticket):
    db.session.expire_all()
    work = db.session.get(InternWork, ticket.id)
    return (
        ticket.status,
        ticket.level,
        ticket.assignee_id,
        len(ticket.events),
        work and (work.intern_id, work.proposal, work.sent_back, work.approved_at),
    )


def refused(browser, world, ticket, actions, status_codes=(403, 409)) -> None:
    for action in actions:
        before = snapshot(ticket)
        response = browser.post(
            f"/tickets/{ticket.id}/{action.value}", data=form_data(world, ticket, action)
        )
        assert response.status_code in status_codes, (action, response.status_code)
        assert snapshot(ticket) == before, action


def done(browser, world, interns, state, stage, actions, user) -> None:
    for action in actions:
        fresh = build(world, interns, state, stage)
        events = len(fresh.events)
        response = browser.post(
            f"/tickets/{fresh.id}/{action.value}", data=form_data(world, fresh, action)
        )
        assert response.status_code == 302, (action, response.text[:2000])
        db.session.expire_all()
        assert len(fresh.events) == events + 1 and fresh.events[-1].actor_id == user.id
        if action == Action.PROPOSE:  # needs approval: nothing changes for the teacher yet
            assert fresh.status == STATES[state][0] and fresh.resolved_at is None
            assert db.session.get(InternWork, fresh.id).proposal
        if action == Action.APPROVE:
            assert fresh.status == TicketStatus.RESOLVED and fresh.resolved_level == 1


@pytest.mark.parametrize(("state", "stage"), CASES)
def test_each_intern_step_in_each_state(world, interns, as_user, state, stage):
    ticket = build(world, interns, state, stage)
    intern_may(world, interns, as_user, ticket, state, stage)
    supervisor_may(world, interns, as_user, ticket, state, stage)


def intern_may(world, interns, as_user, ticket, state, stage) -> None:
    pia = interns[0]
    browser = as_user(pia)
    expected = expected_for_intern(stage, state)
    page = browser.get(f"/tickets/{ticket.id}")
    steps = [a for a in Action if a not in SYSTEM_ACTIONS]
    if expected is None:
        assert page.status_code == 404
        refused(browser, world, ticket, steps, status_codes=(404,))
        return
    assert page.status_code == 200
    assert offered(page.text, ticket.id) == expected
    refused(browser, world, ticket, [a for a in steps if a not in expected])
    done(browser, world, interns, state, stage, expected, pia)


def supervisor_may(world, interns, as_user, ticket, state, stage) -> None:
    """Her intern steps; the rest of what she may do is the same as without interns."""
    browser = as_user(world.manager)
    expected = expected_for_supervisor(stage, state)
    page = browser.get(f"/tickets/{ticket.id}")
    assert page.status_code == 200
    shown = offered(page.text, ticket.id)
    assert shown & INTERN_ACTIONS == expected
    assert shown - INTERN_ACTIONS == expected_actions(state, "manager")
    refused(browser, world, ticket, sorted(INTERN_ACTIONS - expected))
    done(browser, world, interns, state, stage, expected, world.manager)
