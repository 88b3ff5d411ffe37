"""Two people acting on one ticket at the same moment: one wins, the other is told why."""

import threading

import pytest
from sqlalchemy.orm.exc import StaleDataError

from campus.extensions import db
from campus.models import Ticket, User
from campus.tickets import services
from campus.tickets.transitions import InvalidTransition


def test_a_stale_claim_is_refused_and_says_who_has_it(app, world, as_user):
    """The second browser still shows the ticket as new when it claims: it loses cleanly."""
    ticket = world.ticket("new")
    first, second = as_user(world.manager), as_user(world.colleague)
    second.get(f"/tickets/{ticket.id}")  # both look at the new ticket
    # The first claim commits; the second request reads the row afresh and is refused
    # by the workflow (not in "new" any more) with the holder's name.
    assert first.post(f"/tickets/{ticket.id}/claim").status_code == 302
    response = second.post(f"/tickets/{ticket.id}/claim")
    assert response.status_code == 409
    assert "Bereits von" in response.text
    db.session.refresh(ticket)
    assert [e.kind for e in ticket.events].count("claimed") == 1


def test_the_version_column_refuses_an_update_from_an_old_read(app, world):
    ticket = world.ticket("new")
    db.session.execute(
        db.update(Ticket)
        .where(Ticket.id == ticket.id)
        .values(version=Ticket.version + 1)
        .execution_options(synchronize_session=False)
    )  # somebody else's change, behind this session's back
    with pytest.raises(StaleDataError):
        services.claim(world.manager, ticket)
    db.session.rollback()


def test_two_managers_claiming_at_once_on_real_connections(app, world):
    """Real concurrency: two threads, two database connections, one barrier."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent connections: run with make test-postgres")
    ticket_id = world.ticket("new").id
    users = [world.manager.id, world.colleague.id]
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def claim_as(user_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            ticket = db.session.get(Ticket, ticket_id)
            ticket.status  # noqa: B018 - read before the other thread writes
            barrier.wait()
            try:
                services.claim(user, ticket)
                db.session.commit()
                outcomes[user_id] = "won"
            except (StaleDataError, InvalidTransition):
                db.session.rollback()
                outcomes[user_id] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claim_as, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["refused", "won"]
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    winner = next(u for u, result in outcomes.items() if result == "won")
    assert ticket.assignee_id == winner
    assert [e.kind for e in ticket.events] == ["created", "claimed"]


def test_reports_filed_at_the_same_moment_get_distinct_numbers(app, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent connections: run with make test-postgres")
    from campus.tickets.filing import report_ticket

    teacher_id = world.teacher.id
    world.ticket("new")  # number 1 exists: both threads will first try number 2
    db.session.commit()
    barrier = threading.Barrier(4)
    numbers, errors = [], []

    def file_report() -> None:
        with app.app_context():
            teacher = db.session.get(User, teacher_id)
            teacher.school  # noqa: B018 - loaded before the race
            barrier.wait()
            try:
                ticket = report_ticket(
                    teacher, title="Gleichzeitig", description="…", category="other", impact="minor"
                )
                db.session.commit()
                numbers.append(ticket.number)
            except Exception as error:
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=file_report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(numbers) == [2, 3, 4, 5]


def test_resolve_and_escalate_at_the_same_moment_leave_one_consistent_outcome(app, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent connections: run with make test-postgres")
    ticket_id = world.ticket("in_progress").id
    manager_id, colleague_id = world.manager.id, world.colleague.id
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(kind: str, user_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            ticket = db.session.get(Ticket, ticket_id)
            ticket.status  # noqa: B018 - both read "in_progress" before either writes
            barrier.wait()
            try:
                if kind == "resolve":
                    services.resolve(user, ticket, "Vor Ort gelöst.")
                else:
                    from tests.tickets_helpers import ANALYSIS

                    services.escalate(user, ticket, ANALYSIS)
                db.session.commit()
                outcomes[kind] = "won"
            except (StaleDataError, InvalidTransition):
                db.session.rollback()
                outcomes[kind] = "refused"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=act, args=("resolve", manager_id)),
        threading.Thread(target=act, args=("escalate", colleague_id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["refused", "won"]
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    winner = next(kind for kind, result in outcomes.items() if result == "won")
    kinds = [e.kind for e in ticket.events]
    if winner == "resolve":
        assert (ticket.status, ticket.level, ticket.escalated_at) == ("resolved", 1, None)
        assert kinds[-1] == "resolved" and "escalated" not in kinds
    else:
        assert (ticket.status, ticket.level, ticket.resolved_at) == ("escalated", 2, None)
        assert kinds[-1] == "escalated" and "resolved" not in kinds
        assert len(ticket.analyses) == 1
