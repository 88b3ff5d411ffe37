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


def test_filing_checks_the_form_before_it_takes_the_write_lock(app, world, as_user):
    app.config["JOBS"] = "off"  # the request only: its mails are written by a job after it
    teacher = as_user(world.teacher)
    report = {"category": "printer", "impact": "minor", "title": "Papierstau", "description": "x"}
    with begins() as seen:
        assert teacher.post("/tickets/new", data=report).status_code == 302
    assert seen[0] == "BEGIN" and seen.count("BEGIN IMMEDIATE") == 1


def _held_by_someone(lock_file) -> bool:
    import fcntl
    import os

    probe = os.open(lock_file, os.O_RDWR)
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(probe)  # and with it the probe's own lock
    return False


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_writers_queue_on_a_lock_file_that_is_free_again_after_the_transaction(tmp_path, end):
    """A waiting writer is let in the moment the one before it ends (it does not sleep
    through SQLite's growing busy waits): the lock file is held exactly while writing."""
    import threading
    import time

    from sqlalchemy import create_engine, text

    from campus.database import writing

    engine = create_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    lock_file = tmp_path / "queue.db-writers"
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    assert not _held_by_someone(lock_file)
    with engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM t"))  # reads never queue
        assert not _held_by_someone(lock_file)
        reader.rollback()
    order = []

    def second_writer():
        with writing(), engine.begin() as connection:
            order.append("second in")
            connection.execute(text("INSERT INTO t VALUES (2)"))

    with writing():
        first = engine.connect()
        first.begin()
        first.execute(text("INSERT INTO t VALUES (1)"))
        assert _held_by_someone(lock_file)
        waiting = threading.Thread(target=second_writer)
        waiting.start()
        time.sleep(0.2)
        assert order == []  # it waits in line
        order.append("first out")
        first.commit() if end == "commit" else first.rollback()
        first.close()
    waiting.join(timeout=10)
    assert order == ["first out", "second in"]
    assert not _held_by_someone(lock_file)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT n FROM t ORDER BY n")).scalars().all()
    assert rows == ([1, 2] if end == "commit" else [2])
    engine.dispose()
