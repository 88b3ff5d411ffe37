"""Keeping the report facts (campus/models/report.py) current.

Every change to a ticket is recorded as a domain event (campus/events.py); the
handlers below (registered in campus/handlers.py) take the ticket's old contribution
away from its rows and add the new one, in the same transaction. `rebuild_facts()` computes
everything afresh (after bulk imports, or when the net-rate categories change);
a test checks that both ways always agree.
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date
from operator import itemgetter
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from campus.database import bulk_insert
from campus.events import DeviceChanged, SchoolMoved, TicketChanged
from campus.extensions import db
from campus.models import CategorySetting, Device, Ticket, TicketStatus
from campus.models.report import (
    ALL_CAMPUSES,
    BUCKET_BOUNDS,
    CITY,
    CITY_WIDE,
    COUNTS,
    FIGURES,
    report_days,
)

BERLIN = ZoneInfo("Europe/Berlin")
PRIMARY_KEY = ("dimension", "span", "day", "campus_id", "key")
VALUE_COLUMNS = tuple(c.name for c in report_days.columns if c.name not in PRIMARY_KEY)
ZERO_ROW = dict.fromkeys(VALUE_COLUMNS, 0)
FACT_FIELDS = (
    "created_at",
    "status",
    "resolved_level",
    "escalated_at",
    "category",
    "l1_capable",
    "reopened_count",
    "resolved_at",
    "first_response_at",
    "respond_by",
    "resolve_by",
    "campus_id",
    "school_id",
    "l1_assignee_id",
    "device_type",
)
TICKET_FACT_FIELDS = FACT_FIELDS[:-1]  # the ticket's own columns (not its device's type)


@dataclass(frozen=True)
class Facts:
    """What one ticket adds to the report rows: where (day, campus, keys) and how much."""

    day: date
    campus_id: int
    keys: tuple[tuple[str, str], ...]  # (dimension, key) for each dimension
    vector: tuple[tuple[str, int], ...]  # (column, 1) for every column it counts in


def bucket(seconds: float) -> int:
    """Index of the first bucket whose upper bound is at least `seconds`."""
    return bisect_left(BUCKET_BOUNDS, max(seconds, 0.0))


def facts_from(values: Mapping, excluded: set[str]) -> Facts:
    """The contribution of a ticket given as plain values (see FACT_FIELDS)."""
    live = values["status"] != TicketStatus.CANCELLED
    level = values["resolved_level"]
    escalated = values["escalated_at"] is not None
    first_level = live and level == 1 and not escalated
    resolvable = values["category"] not in excluded
    reopened = (values["reopened_count"] or 0) > 0
    counts = {
        "recorded": live,
        "cancelled": not live,
        "resolved": live and level is not None,
        "resolved_first_level": first_level,
        "escalated": live and escalated,
        "net_recorded": live and resolvable,
        "net_resolved_first_level": first_level and resolvable,
        "resolved_second_level": live and level == 2,
        "l1_capable": live and level == 2 and values["l1_capable"] is True,
        "ever_resolved": live and (values["resolved_at"] is not None or reopened),
        "reopened": live and reopened,
        **_on_time(live, "responses", values["first_response_at"], values["respond_by"]),
        **_on_time(live, "resolutions", values["resolved_at"], values["resolve_by"]),
    }
    vector = [(name, 1) for name in COUNTS if counts[name]]
    created = values["created_at"]
    if live:
        spans = {
            "first_response": (values["first_response_at"], created),
            "resolution": (values["resolved_at"], created),
            "level2": (values["resolved_at"], values["escalated_at"])
            if level == 2
            else (None, None),
        }
        for figure, (end, start) in spans.items():
            if end is not None and start is not None:
                # In UTC: two Berlin times of one zone would subtract as wall-clock times
                # and be an hour off across a daylight-saving change.
                index = bucket((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds())
                vector.append((f"{FIGURES[figure]}_{index:02d}", 1))
    manager = values["l1_assignee_id"]
    keys = (
        ("campus", str(values["campus_id"])),
        ("school", str(values["school_id"])),
        ("manager", "" if manager is None else str(manager)),
        ("device_type", values["device_type"] or ""),
        ("category", values["category"]),
    )
    return Facts(created.astimezone(BERLIN).date(), values["campus_id"], keys, tuple(vector))


def _on_time(live: bool, name: str, done, due) -> dict[str, bool]:
    counted = live and done is not None and due is not None
    return {f"{name}_due": counted, f"{name}_on_time": counted and done <= due}


def excluded_categories(session=None) -> set[str]:
    """Categories the admin marked as not resolvable at level 1 by nature."""
    return set(
        (session or db.session).scalars(
            select(CategorySetting.category).where(CategorySetting.l1_resolvable.is_(False))
        )
    )


def ticket_facts(ticket: Ticket, excluded: set[str] | None = None, **changed) -> Facts:
    """The ticket's contribution now, or with `changed` values (its state before a change)."""
    values = {name: getattr(ticket, name) for name in TICKET_FACT_FIELDS}
    values["device_type"] = ticket.device.type if ticket.device is not None else None
    values.update(changed)
    return facts_from(values, excluded_categories() if excluded is None else excluded)


def record_change(before: Facts | None, ticket: Ticket, excluded: set[str] | None = None) -> None:
    """Move the ticket's contribution from `before` (None: a new ticket) to its state now."""
    after = ticket_facts(ticket, excluded)
    if after == before:
        return  # a note or a reply: nothing the reports count has changed
    changes: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for facts, sign in ((before, -1), (after, 1)):
        if facts is None:
            continue
        for pk in _row_keys(facts):
            row = changes[pk]
            for column, amount in facts.vector:
                row[column] += sign * amount
    rows = [  # in key order: two transactions never wait for each other's rows crosswise
        {**ZERO_ROW, **dict(zip(PRIMARY_KEY, pk, strict=True)), **amounts}
        for pk, amounts in sorted(changes.items())
        if any(amounts.values())
    ]
    if rows:
        _upsert(rows)


# --- the handlers of the domain events that change what the reports count ----------------


def on_ticket_changed(event: TicketChanged) -> None:
    """A ticket was filed or changed: move its contribution to its new state."""
    excluded = excluded_categories()
    before = None
    if event.before is not None:
        before = ticket_facts(
            event.ticket, excluded, **{name: event.before[name] for name in TICKET_FACT_FIELDS}
        )
    record_change(before, event.ticket, excluded)


def on_device_changed(event: DeviceChanged) -> None:
    """The device type is a breakdown: the device's tickets move with a new type."""
    if event.old_type is None or event.old_type == event.device.type:
        return
    excluded = excluded_categories()
    for ticket in db.session.scalars(select(Ticket).where(Ticket.device_id == event.device.id)):
        record_change(ticket_facts(ticket, excluded, device_type=event.old_type), ticket, excluded)


def on_school_moved(event: SchoolMoved) -> None:
    """The school's tickets now count for the other campus."""
    excluded = excluded_categories()
    for ticket in db.session.scalars(select(Ticket).where(Ticket.school_id == event.school.id)):
        before = ticket_facts(ticket, excluded, campus_id=event.old_campus_id)
        record_change(before, ticket, excluded)


def _row_keys(facts: Facts) -> list[tuple]:
    """The primary keys of the rows a ticket counts in: its day's and its month's, for its
    campus, and for the whole city where a city-wide reading would otherwise add up every
    campus's rows (the summary, the month trend, categories and device types)."""
    spans = (("day", facts.day), ("month", facts.day.replace(day=1)))
    keys = [
        (dimension, span, day, facts.campus_id, key)
        for dimension, key in facts.keys
        for span, day in spans
    ]
    keys += [
        (dimension, span, day, ALL_CAMPUSES, key)
        for dimension, key in facts.keys
        if dimension in CITY_WIDE
        for span, day in spans
    ]
    keys += [(CITY, span, day, ALL_CAMPUSES, "") for span, day in spans]
    return keys


def _add(key: dict, amounts: dict[str, int]) -> None:
    """Add `amounts` to one report row, made if missing (a benchmark harness's reset
    takes the tickets it filed back out this way)."""
    _upsert([{**ZERO_ROW, **key, **amounts}])


UPSERT_COLUMNS = (*PRIMARY_KEY, *VALUE_COLUMNS)
_UPSERT_VALUES = itemgetter(*UPSERT_COLUMNS)
_UPSERTS: dict[str, str] = {}


def _upsert(rows: list[dict]) -> None:
    """Add each row's values to its report row, made if missing: one statement for all
    rows, its SQL written once, the values handed to the driver as they are (this runs
    in every change to a ticket, under the write lock; SQLAlchemy's per-value processing
    cost more than the database's work)."""
    connection = db.session.connection()
    dialect = connection.dialect
    sql = _UPSERTS.get(dialect.name)
    if sql is None:
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quoted = {c: f'"{c}"' for c in UPSERT_COLUMNS}  # "day", "key": words in SQL
        sums = (
            f"{quoted[c]} = report_days.{quoted[c]} + excluded.{quoted[c]}" for c in VALUE_COLUMNS
        )
        sql = _UPSERTS[dialect.name] = (
            f"INSERT INTO report_days ({', '.join(quoted.values())}) "  # noqa: S608 - names from the table
            f"VALUES ({', '.join([mark] * len(quoted))}) "
            f"ON CONFLICT ({', '.join(quoted[c] for c in PRIMARY_KEY)}) "
            f"DO UPDATE SET {', '.join(sums)}"
        )
    values = [_UPSERT_VALUES(row) for row in rows]
    if dialect.name == "sqlite":  # SQLite stores a date as its ISO text
        values = [(a, b, day.isoformat(), *rest) for a, b, day, *rest in values]
    connection.exec_driver_sql(sql, values)


def rebuild_facts(batch: int = 5000, session=None) -> int:
    """Recompute every report row from the tickets; returns how many tickets were read."""
    session = session or db.session
    excluded = excluded_categories(session)
    columns = [getattr(Ticket, name) for name in TICKET_FACT_FIELDS]
    query = (
        select(*columns, Device.type.label("device_type"))
        .outerjoin(Device, Device.id == Ticket.device_id)
        .execution_options(yield_per=batch)
    )
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    read = 0
    for values in session.execute(query).mappings():
        facts = facts_from(values, excluded)
        read += 1
        for pk in _row_keys(facts):
            row = rows[pk]
            for column, amount in facts.vector:
                row[column] += amount
    session.execute(delete(report_days))
    _insert_rows(session, rows.items())
    session.flush()
    return read


def _insert_rows(session, rows: Iterable[tuple[tuple, dict]], chunk: int = 5000) -> None:
    """Rows as (primary key, non-zero amounts); every other value column is 0."""
    connection = session.connection()
    buffer = []
    for pk, amounts in rows:
        row = dict(zip(PRIMARY_KEY, pk, strict=True))
        row.update(ZERO_ROW)
        row.update(amounts)
        buffer.append(row)
        if len(buffer) >= chunk:
            bulk_insert(connection, report_days, buffer)
            buffer = []
    bulk_insert(connection, report_days, buffer)
