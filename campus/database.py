"""SQLite that holds up with several app processes: WAL, a busy timeout, and write
transactions that take the write lock when they begin.

SQLite lets one writer at a time. With its default (deferred) transactions, a request
reads first and asks for the write lock only when it writes; two requests that read at
once then cannot both write, and one fails at once with "database is locked" or, worse,
both compute the same next ticket number. So a transaction that will write begins with
`BEGIN IMMEDIATE`: it waits (up to the busy timeout) for the lock before it reads
anything, and its reads then see the latest committed state. Read-only transactions stay
deferred and, in WAL mode, never wait for a writer.

A transaction is taken as writing when it belongs to a request that may change something
(POST, PUT, PATCH, DELETE) or begins inside a unit of work (`campus/unit_of_work.py`,
CLI commands and jobs). PostgreSQL needs none of this and is left alone.
"""

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from datetime import time as time_of_day

from flask import Flask, request
from sqlalchemy import Table, TypeDecorator, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

_writing: ContextVar[bool] = ContextVar("campus_sqlite_writing", default=False)
BUSY_TIMEOUT_MS = 30_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, record) -> None:
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    # SQLAlchemy emits BEGIN itself (below), so that it can choose IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")  # a file database; memory ones say "memory"
    cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: no corruption on power loss
    path = next((row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"), "")
    cursor.close()
    if path:  # a file: its writers queue on a lock file beside it (below)
        record.info["campus_writers"] = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT, 0o600)


# Writers wait in line on a lock file beside the database (flock, one per connection):
# the next one goes the moment the lock is free. SQLite's own busy handler would let a
# waiting writer sleep in growing steps (1, 2, 5, 10 ... 100 ms) and so leave the lock idle
# while requests queue; the busy timeout stays as the last resort.
WAIT_STEP_SECONDS = 0.0002


@event.listens_for(Pool, "close")
def _on_close(_dbapi_connection, record) -> None:
    lock = record.info.pop("campus_writers", None)
    if lock is not None:
        os.close(lock)  # its flock, if still held, goes with it


def _queue_for_writing(info: dict) -> None:
    lock = info.get("campus_writers")
    if lock is None or info.get("campus_writing"):
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                return  # leave it to SQLite's busy timeout, which answers "locked"
            time.sleep(WAIT_STEP_SECONDS)
    info["campus_writing"] = True


def _done_writing(info: dict) -> None:
    if info.pop("campus_writing", False):
        fcntl.flock(info["campus_writers"], fcntl.LOCK_UN)


@event.listens_for(Engine, "begin")
def _on_begin(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    immediate = _writing.get()
    if immediate:
        _queue_for_writing(connection.connection.info)
        _release_after_transactions(connection.dialect)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    connection.info["campus_immediate"] = immediate


def _release_after_transactions(dialect) -> None:
    """Let the next writer in as soon as this transaction has committed or rolled back."""
    if getattr(dialect, "campus_releases_writers", False):
        return
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(connection):
        try:
            commit(connection)
        finally:
            _done_writing(_info_of(connection))

    def do_rollback(connection):
        try:
            rollback(connection)
        finally:
            _done_writing(_info_of(connection))

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback
    dialect.campus_releases_writers = True


def _info_of(connection) -> dict:
    """The pooled connection's info (SQLAlchemy hands the dialect its pool proxy)."""
    return getattr(connection, "info", None) or {}


def ready_to_write(session) -> None:
    """Before a unit of work: end a read-only SQLite transaction that began deferred, so
    that the writing one begins with the lock (a deferred one could not take it later
    once another process has written)."""
    if not session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return
    if session.connection().info.get("campus_immediate"):
        return
    if session.new or session.dirty or session.deleted:
        return  # changes made before the unit of work: keep them in their transaction
    # Only reads to end: what they loaded (the user, the form's choices) stays loaded
    # instead of being read again while the write lock is held.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside this block take SQLite's write lock when they begin."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def finished_writing() -> None:
    """The request's change is committed: what it still reads needs no write lock."""
    _writing.set(False)


def reads_first(view):
    """Mark a view that reads (and checks something slow, like a password) before its unit
    of work writes: its request does not take the write lock from the start."""
    view.campus_reads_first = True
    return view


def init_app(app: Flask) -> None:
    """Requests that may change something write; the others only read."""

    @app.before_request
    def _mark_writing_requests():
        view = app.view_functions.get(request.endpoint)
        _writing.set(
            request.method not in SAFE_METHODS and not getattr(view, "campus_reads_first", False)
        )

    @app.teardown_request
    def _forget(_exc):
        _writing.set(False)

    @app.teardown_appcontext  # before Flask-SQLAlchemy's own (they run last-added first)
    def _end_session(_exc):
        end_session()


def end_session() -> None:
    """Close the request's session. A connection that died under it (the database
    restarted) cannot even roll back: that is no error of the request, whose answer is
    already written; the connection is thrown away and the pool opens a new one."""
    from campus.extensions import db

    try:
        db.session.remove()
    except exc.DBAPIError as error:
        if not unavailable(error):
            raise
        logging.getLogger("campus").warning(
            "database connection lost at the end of a request: %s", type(error.orig).__name__
        )
        with contextlib.suppress(Exception):
            db.session.registry().invalidate()
        db.session.registry.clear()


def bulk_insert(connection, table: Table, rows: list[dict]) -> None:
    """Write many rows at once, past the ORM: COPY on PostgreSQL, one executemany of plain
    tuples on SQLite (values stored as SQLAlchemy stores them: UTC text, 0/1, ISO dates).
    For generated data and rebuilt report facts; every row has the first row's keys."""
    if not rows:
        return
    columns = list(rows[0])
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    convert = [(c, _SQLITE_VALUE.get(python_type(table.c[c]))) for c in columns]
    plain = [c for c, f in convert if f is None]
    if len(plain) == len(columns):
        values = [tuple(row[c] for c in columns) for row in rows]
    else:
        values = [
            tuple(row[c] if f is None or row[c] is None else f(row[c]) for c, f in convert)
            for row in rows
        ]
    marks = ", ".join("?" * len(columns))
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
        values,
    )


def python_type(column) -> type:
    """The Python type of a column's values (through a TypeDecorator to what it stores)."""
    kind = column.type
    return (kind.impl if isinstance(kind, TypeDecorator) else kind).python_type


_SQLITE_VALUE = {
    datetime: lambda value: value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
    date: date.isoformat,
    time_of_day: lambda value: value.strftime("%H:%M:%S.%f"),
    bool: int,
}


# What SQLite says when it is busy past the timeout, or its disk fails or fills up.
SQLITE_TRANSIENT = ("database is locked", "disk i/o error", "unable to open", "disk is full")


def unavailable(error: BaseException) -> bool:
    """The database could not be reached, is restarting, has no connection to spare, or
    (SQLite) stayed locked: the same request may well succeed a moment later. Not a
    mistake in a query (those are 500s)."""
    if isinstance(error, exc.TimeoutError):  # no pooled connection became free in time
        return True
    if not isinstance(error, exc.OperationalError | exc.InterfaceError):
        return False
    if getattr(error, "connection_invalidated", False):
        return True
    if type(error.orig).__module__.startswith("psycopg"):
        return True  # PostgreSQL: query mistakes are ProgrammingError, DataError and the like
    return any(sign in str(error.orig).lower() for sign in SQLITE_TRANSIENT)
