"""SQLite: transactions that will write take the write lock when they begin; reading ones
(and a login's slow password check) do not."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from campus.extensions import db
from campus.models import Role
from campus.tickets import services
from campus.unit_of_work import work
from tests.conftest import PASSWORD


@contextmanager
def begins():
    """The BEGIN statements sent while active, in order."""
    seen: list[str] = []

    def spy(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)


@pytest.fixture(autouse=True)
def only_sqlite(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's locking only")


def test_pages_read_without_the_write_lock_and_changes_take_it(world, as_user):
    ticket_id = world.ticket("new").id
    manager = as_user(world.manager)
    db.session.commit()  # the tests share the requests' session: nothing open in it
    with begins() as seen:
        manager.get(f"/tickets/{ticket_id}")
    assert seen and set(seen) == {"BEGIN"}
    with begins() as seen:
        assert manager.post(f"/tickets/{ticket_id}/claim").status_code == 302
    assert seen[0] == "BEGIN IMMEDIATE"


def test_a_login_checks_the_password_before_it_takes_the_write_lock(client, make_user):
    email = make_user(Role.TEACHER).email
    db.session.commit()
    with begins() as seen:
        response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    assert seen[0] == "BEGIN" and "BEGIN IMMEDIATE" in seen


def test_a_unit_of_work_ends_a_reading_transaction_and_begins_writing(world):
    ticket = world.ticket("new")
    db.session.commit()
    with begins() as seen:
        assert ticket.title  # a read: begins a deferred transaction
        with work():
            services.claim(world.manager, ticket)
    assert seen == ["BEGIN", "BEGIN IMMEDIATE"]


def test_a_database_that_is_away_is_told_from_a_mistake_in_a_query(tmp_path):
    """Which database errors mean "try again" (503) and which are bugs (500)."""
    import socket

    from sqlalchemy import create_engine, exc, text

    from campus.database import unavailable

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    nobody = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/x")
    with pytest.raises(exc.OperationalError) as refused:
        nobody.connect()
    assert unavailable(refused.value)
    sqlite = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with sqlite.connect() as connection, pytest.raises(exc.OperationalError) as mistake:
        connection.execute(text("SELECT nothing FROM nowhere"))
    assert not unavailable(mistake.value)
    assert not unavailable(ValueError("not a database error"))
