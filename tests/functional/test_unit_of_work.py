"""One unit of work per change: it commits once, dispatches the domain events, and a
failing consequence either undoes everything (in the transaction) or nothing (after it)."""

import logging
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from campus import events as e
from campus.exceptions import InvalidInput
from campus.extensions import db
from campus.models import FaultAnalysis, Ticket, TicketEvent, TicketStatus, WebhookDelivery
from campus.tickets import services
from campus.unit_of_work import work
from tests.functional import test_webhooks
from tests.tickets_helpers import ANALYSIS
from tests.unit.test_report_queries import facts_match_a_rebuild

add_webhook = test_webhooks.add_webhook
receiver = test_webhooks.receiver  # the real local HTTP receiver (a fixture)


@contextmanager
def extra_handler(app, kind: str, event_class, handler):
    """Register one more handler for the duration of a test, first in line."""
    table = getattr(app.extensions["campus_handlers"], kind)
    table.setdefault(event_class, []).insert(0, handler)
    try:
        yield
    finally:
        table[event_class].remove(handler)


def escalate_on_the_page(as_user, world, ticket):
    data = {f"escalate-{k}": v for k, v in ANALYSIS.items()}
    return as_user(world.manager).post(f"/tickets/{ticket.id}/escalate", data=data)


def test_every_action_records_its_domain_event(app, world):
    seen = []
    with extra_handler(app, "in_transaction", e.TicketChanged, seen.append):
        ticket = world.ticket("returned")
        with work():
            services.resolve(world.manager, ticket, "Lampe getauscht.")
            services.reopen(world.teacher, ticket, "Wieder dunkel.")
    assert [type(event) for event in seen] == [
        e.TicketFiled,
        e.TicketEscalated,
        e.TicketReturned,
        e.TicketResolved,
        e.TicketReopened,
    ]
    escalated = seen[1]
    assert escalated.before["status"] == TicketStatus.NEW and escalated.before["level"] == 1
    assert escalated.trail.kind == "escalated" and escalated.actor.id == world.manager.id
    assert seen[0].before is None


def test_a_failing_handler_in_the_transaction_undoes_the_whole_change(app, world, as_user, caplog):
    ticket = world.ticket("in_progress")
    events_before = len(ticket.events)

    def broken(_event):
        raise RuntimeError("disk full")

    with extra_handler(app, "in_transaction", e.TicketEscalated, broken):
        response = escalate_on_the_page(as_user, world, ticket)
    assert response.status_code == 500
    assert "konnte nicht gespeichert werden" in response.text
    assert "disk full" not in response.text  # no internals for the user
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.status, ticket.level) == (TicketStatus.IN_PROGRESS, 1)
    assert len(ticket.events) == events_before
    assert db.session.scalar(select(func.count(FaultAnalysis.id))) == 0
    assert facts_match_a_rebuild()
    assert "disk full" in caplog.text  # but the operators can find out why


def test_a_failing_handler_after_the_commit_keeps_the_change_and_is_logged(
    app, world, as_user, receiver, caplog
):
    add_webhook(as_user, world, receiver.url)
    ticket = world.ticket("in_progress")

    def broken(_event):
        raise RuntimeError("mail server away")

    with (
        caplog.at_level(logging.ERROR),
        extra_handler(app, "after_commit", e.TicketEscalated, broken),
    ):
        response = escalate_on_the_page(as_user, world, ticket)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == TicketStatus.ESCALATED
    assert "after-commit handler" in caplog.text and "mail server away" in caplog.text
    # The other after-commit handlers still ran: the system house heard of it.
    assert len(receiver.received) == 1
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.status == "delivered"


def test_an_unreachable_receiver_never_undoes_the_action_and_is_retried(app, world, as_user):
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ["127.0.0.0/8"]
    add_webhook(as_user, world, "http://127.0.0.1:9/hook")  # nothing listens there
    ticket = world.ticket("in_progress")
    assert escalate_on_the_page(as_user, world, ticket).status_code == 302
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == TicketStatus.ESCALATED
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at is not None  # the cron job tries again


def test_a_refusal_rolls_back_what_the_block_changed_before_it(app, world):
    ticket = world.ticket("new")
    with pytest.raises(InvalidInput), work():
        services.claim(world.manager, ticket)  # this part succeeds ...
        services.wait(world.manager, ticket, "  ")  # ... this one is refused
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.status, ticket.assignee_id) == (TicketStatus.NEW, None)
    kinds = db.session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id))
    assert list(kinds) == ["created"]


def test_a_refusal_on_a_form_page_stands_next_to_its_field(world, as_user):
    ticket = world.ticket("in_progress")
    response = as_user(world.manager).post(f"/tickets/{ticket.id}/wait", data={"wait-text": " "})
    assert response.status_code == 422
    assert "Bitte schreiben Sie einen Text" in response.text
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == TicketStatus.IN_PROGRESS


def test_a_school_moving_to_another_campus_puts_its_tickets_back_into_the_queue(world):
    """One more consequence of an event is one more handler: no service changed for it."""
    from tests.unit.test_facts_follow_events import _move_school

    ticket = world.ticket("in_progress")
    far_campus_id = world.far_manager.campus_ids[0]
    with work():
        _move_school(world.teacher.school, far_campus_id)
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.campus_id == far_campus_id
    assert (ticket.status, ticket.assignee_id, ticket.l1_assignee_id) == (
        TicketStatus.NEW,
        None,
        None,
    )
    assert ticket.events[-1].kind == "released"
    assert facts_match_a_rebuild()


def test_a_unit_of_work_inside_another_joins_it(app, world):
    """Only the outer block commits; a refusal inside undoes the outer block's work too."""
    ticket = world.ticket("new")
    with pytest.raises(InvalidInput), work():
        services.claim(world.manager, ticket)
        with work() as inner:
            services.note(world.manager, ticket, "Schaue ich mir an.")
        assert inner.ok
        with work():
            services.wait(world.manager, ticket, " ")  # refused: no text
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.status, [e.kind for e in ticket.events]) == (TicketStatus.NEW, ["created"])


def test_a_stale_version_in_a_handler_is_a_conflict_not_a_server_error(app, world, as_user):
    from sqlalchemy.orm.exc import StaleDataError

    ticket = world.ticket("in_progress")

    def raced(_event):
        raise StaleDataError("someone was first")

    with extra_handler(app, "in_transaction", e.TicketEscalated, raced):
        response = escalate_on_the_page(as_user, world, ticket)
    assert response.status_code == 409
    assert "Jemand anderes hat dieses Ticket gerade geändert" in response.text


def test_a_savepoint_rolled_back_keeps_what_the_change_owes_after_the_commit(
    app, world, as_user, receiver
):
    add_webhook(as_user, world, receiver.url)
    ticket = world.ticket("in_progress")
    with work():
        services.escalate(world.manager, ticket, ANALYSIS)
        savepoint = db.session.begin_nested()
        services.note(world.manager, ticket, "Wird gleich verworfen.")
        savepoint.rollback()
    assert len(receiver.received) == 1  # the escalation was still sent after the commit


@contextmanager
def someone_is_faster(ticket_id: int):
    """The first flush that writes the ticket finds its version moved on (as if another
    request had committed in between); yields a list that holds True once that happened."""
    from sqlalchemy import event, update
    from sqlalchemy.orm import Session

    raced: list[bool] = []

    def move_the_version(session, _context, _instances):
        if raced or not any(isinstance(o, Ticket) for o in session.dirty):
            return
        raced.append(True)
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(version=Ticket.version + 1)
            .execution_options(synchronize_session=False)
        )

    event.listen(Session, "before_flush", move_the_version)
    try:
        yield raced
    finally:
        event.remove(Session, "before_flush", move_the_version)


def test_an_action_that_loses_the_race_is_refused_with_a_reason_and_writes_nothing(world, as_user):
    """Someone else's change lands between this request's read and its write (the version
    moves under it): a 409 with a reason, and nothing of the loser is kept."""
    ticket_id = world.ticket("in_progress").id
    manager = as_user(world.manager)
    with someone_is_faster(ticket_id) as raced:
        response = manager.post(f"/tickets/{ticket_id}/wait", data={"wait-text": "Welcher Raum?"})
    assert raced
    assert response.status_code == 409
    assert "Jemand anderes hat dieses Ticket gerade geändert" in response.text
    assert "Welcher Raum?" in response.text  # the text is still in the form to send again
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    assert [e.kind for e in ticket.events] == ["created", "claimed"]


@pytest.mark.parametrize("through", ["page", "api"])
def test_a_reply_that_loses_the_race_is_sent_once_more_and_kept_once(
    world, as_user, token_for, through
):
    """A reply adds to the ticket without deciding on its state: when someone else changed
    the ticket in the same moment, it is taken again on the ticket as it now is."""
    ticket_id = world.ticket("in_progress").id
    manager = as_user(world.manager)
    headers = token_for(world.manager)
    with someone_is_faster(ticket_id) as raced:
        if through == "page":
            response = manager.post(f"/tickets/{ticket_id}/reply", data={"reply-text": "Komme."})
            assert response.status_code == 302
        else:
            response = manager.post(
                f"/api/v1/tickets/{ticket_id}/actions",
                headers=headers,
                json={"action": "reply", "text": "Komme."},
            )
            assert response.status_code == 200, response.json
            assert [e["kind"] for e in response.json["events"]][-1] == "replied"
    assert raced  # the first try did lose the race
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    assert [e.kind for e in ticket.events] == ["created", "claimed", "replied"]
