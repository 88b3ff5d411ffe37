"""`flask campus generate`: a whole city's year of tickets, consistent with what the
services would have written (report facts, numbers, histories), usable at once."""

from sqlalchemy import func, select

from campus.extensions import db
from campus.models import Campus, Role, School, Ticket, TicketEvent, TicketStatus, User
from campus.reports.sums import tickets_on_record
from tests.unit.test_cli import run
from tests.unit.test_report_queries import facts_match_a_rebuild


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_generates_the_city_it_is_asked_for(app):
    result = run(
        app,
        "generate",
        "--tickets=600",
        "--campuses=3",
        "--schools=7",
        "--managers=4",
        "--password=benchmark-password",
    )
    assert result.exit_code == 0, result.output
    assert "600 tickets" in result.output
    assert (count(Campus), count(School), count(Ticket)) == (3, 7, 600)
    assert count(User, User.role == Role.CAMPUS_MANAGER) == 4
    assert count(User, User.role == Role.ADMIN) == 1
    # every campus has a manager, every ticket its campus's school, a history from filing on
    campuses = db.session.scalars(select(Campus)).all()
    assert all(campus.managers for campus in campuses)
    assert count(Ticket, Ticket.campus_id != School.campus_id, Ticket.school_id == School.id) == 0
    assert count(TicketEvent, TicketEvent.kind == "created") == 600
    numbers = db.session.scalars(select(Ticket.number).order_by(Ticket.created_at)).all()
    assert numbers == sorted(numbers) == list(range(1, 601))  # numbers rise with time
    assert {t for (t,) in db.session.execute(select(Ticket.status).distinct())} >= {
        TicketStatus.CLOSED,
        TicketStatus.ESCALATED,
        TicketStatus.CANCELLED,
    }
    # the report facts are what the services would have kept
    assert tickets_on_record() == 600
    assert facts_match_a_rebuild()


def test_the_generated_people_can_log_in_and_work(app, client):
    run(app, "generate", "--tickets=50", "--campuses=2", "--schools=2", "--password=pw-12345678")
    response = client.post(
        "/auth/login",
        data={"email": "lehrkraft-1-1@generated.campus.test", "password": "pw-12345678"},
    )
    assert response.status_code == 302
    filed = client.post(
        "/tickets/new",
        data={"category": "printer", "impact": "minor", "title": "Papierstau", "description": "x"},
    )
    assert filed.status_code == 302
    assert db.session.scalar(select(func.max(Ticket.number))) == 51  # the next number


def test_without_a_password_nobody_can_log_in(app, client):
    run(app, "generate", "--tickets=5", "--campuses=1", "--schools=1")
    for password in ("", "benchmark-password", "0" * 64):
        response = client.post(
            "/auth/login", data={"email": "admin@generated.campus.test", "password": password}
        )
        assert response.status_code == 422  # refused, the form again


def test_refuses_a_database_with_data_and_a_campus_without_schools(app):
    first = run(app, "generate", "--tickets=5", "--campuses=1", "--schools=1")
    assert first.exit_code == 0
    again = run(app, "generate", "--tickets=5", "--campuses=1", "--schools=1")
    assert again.exit_code != 0
    assert "already has users" in again.output
    assert count(Ticket) == 5
    db.session.execute(TicketEvent.__table__.delete())
    bad = run(app, "generate", "--campuses=4", "--schools=3")
    assert bad.exit_code != 0
    assert "at least as many schools" in bad.output


def test_a_brand_new_database_is_migrated_first(tmp_path):
    from sqlalchemy import inspect

    from campus import create_app

    fresh = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}"})
    with fresh.app_context():
        result = run(fresh, "generate", "--tickets=20", "--campuses=1", "--schools=1")
        assert result.exit_code == 0, result.output
        assert "migrations applied" in result.output
        assert count(Ticket) == 20
        assert "alembic_version" in inspect(db.engine).get_table_names()  # at the head
        again = run(fresh, "generate", "--tickets=20", "--campuses=1", "--schools=1")
        assert again.exit_code != 0 and "already has users" in again.output
        db.session.remove()
        db.engine.dispose()
