"""A whole city's ticket history, generated: `flask campus generate` (benchmarks, trials).

Rows are written in bulk (executemany on SQLite, COPY on PostgreSQL), not through the
services: a million tickets through the ORM would take an hour. The shape follows the
demo and the Dortmund evaluation: a little over half resolved at level 1, about a third
escalated, some reopened or cancelled, the last two weeks partly still open; numbers
rise with time as they do in a real installation. The report facts are rebuilt at the
end, as the services would have kept them.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from campus.database import bulk_insert
from campus.demo_timetable import generated_visits
from campus.extensions import db
from campus.models import User

CATEGORIES = {
    "tablet_notebook": ("Tablet startet nicht", "Notebook lädt nicht", "Display gesprungen"),
    "projector_display": ("Beamer zeigt kein Bild", "Display flackert", "Kein Ton am Beamer"),
    "network_wifi": ("WLAN bricht ab", "Kein Internet im Raum", "Access Point blinkt rot"),
    "printer": ("Drucker druckt nicht", "Papierstau", "Toner leer"),
    "software_app": ("App stürzt ab", "Update hängt", "Lernsoftware startet nicht"),
    "account_login": ("Anmeldung schlägt fehl", "Passwort gesperrt", "Kein Zugriff auf Ordner"),
    "other": ("Kabel fehlt", "Dokumentenkamera defekt", "Sonstiges Problem"),
}
TYPES = ("tablet", "notebook", "desktop", "display_projector", "printer", "network", "other")
IMPACTS = ("blocking", "impaired", "minor")
BATCH = 10_000
GENERATOR_VERSION = 1  # raise when the generated shape changes: benchmarks regenerate
DOMAIN = "generated.campus.test"
EVENT_COLUMNS = (
    "kind", "actor_id", "created_at", "old_status", "new_status", "old_level", "new_level", "text"
)  # fmt: skip


@dataclass(frozen=True)
class Shape:
    """How big the city is."""

    tickets: int = 100_000
    campuses: int = 50
    schools: int = 160
    managers: int = 150
    teachers_per_school: int = 10
    devices_per_school: int = 50
    system_house: int = 5
    days: int = 365
    seed: int = 7


@dataclass
class City:
    """The people and things tickets are filed about, with their ids."""

    schools: list[dict]
    managers_of: dict[int, list[int]]
    teachers_of: dict[int, list[int]]
    devices_of: dict[int, list[tuple[int, str]]]
    house: list[int]
    users: int


def is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None


def generate(
    shape: Shape, password_hash: str, progress: Callable[[int], None] = lambda n: None
) -> dict[str, int]:
    """Fill the (empty) database; `progress` is told how many tickets each batch wrote."""
    rng = random.Random(shape.seed)  # noqa: S311 - made-up data, repeatable by seed
    db.session.close()  # end the emptiness check's read: the bulk writes go past the session
    now = datetime.now(UTC).replace(microsecond=0)
    with db.engine.begin() as connection:
        city = _people_and_devices(connection, shape, password_hash, now)
        tickets, events = _tickets(connection, shape, city, rng, now, progress)
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
    from campus.reports.facts import rebuild_facts
    from campus.timetable.plans import refresh_plans
    from campus.unit_of_work import work

    with work():
        rebuild_facts()
        refresh_plans()  # each school's coming visits, as the worker keeps them
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return {
        "campuses": shape.campuses,
        "schools": shape.schools,
        "users": city.users,
        "devices": shape.schools * shape.devices_per_school,
        "tickets": tickets,
        "events": events,
    }


def _people_and_devices(connection, shape: Shape, password_hash: str, now) -> City:
    campuses = [
        {"id": i + 1, "name": f"Campus {i + 1:03d}", "created_at": now}
        for i in range(shape.campuses)
    ]
    schools = [
        {
            "id": i + 1,
            "name": f"Schule {i + 1:04d}",
            "short_name": f"S{i + 1:04d}",
            "school_number": f"{100000 + i}",
            "address": f"Schulstraße {i + 1}, 44135 Dortmund",
            "campus_id": i % shape.campuses + 1,
            "created_at": now,
        }
        for i in range(shape.schools)
    ]
    users: list[dict] = []

    def user(role: str, name: str, school_id: int | None = None) -> int:
        users.append(
            {
                "id": len(users) + 1,
                "email": f"{name}@{DOMAIN}",
                "display_name": name.replace("-", " ").title(),
                "password_hash": password_hash,
                "role": role,
                "active": True,
                "school_id": school_id,
                "locale": None,
                "session_version": 1,
                "created_at": now,
            }
        )
        return len(users)

    managers = [user("campus_manager", f"manager-{i + 1}") for i in range(shape.managers)]
    managers_of: dict[int, list[int]] = {c["id"]: [] for c in campuses}
    for index, manager in enumerate(managers):  # each campus has one or more, round robin
        managers_of[index % shape.campuses + 1].append(manager)
    for campus_id, assigned in managers_of.items():
        if not assigned:  # fewer managers than campuses: they share
            assigned.append(managers[(campus_id - 1) % len(managers)])
    links = [{"user_id": m, "campus_id": c} for c, ms in managers_of.items() for m in ms]
    house = [user("system_house", f"systemhaus-{i + 1}") for i in range(shape.system_house)]
    user("admin", "admin")
    teachers_of = {
        s["id"]: [
            user("teacher", f"lehrkraft-{s['id']}-{n + 1}", s["id"])
            for n in range(shape.teachers_per_school)
        ]
        for s in schools
    }
    rooms, devices, devices_of = [], [], {}
    for school in schools:
        sid = school["id"]
        rooms += [{"school_id": sid, "name": f"Raum {n + 1}"} for n in range(20)]
        devices_of[sid] = []
        for n in range(shape.devices_per_school):
            kind = TYPES[n % len(TYPES)]
            devices.append(
                {
                    "id": len(devices) + 1,
                    "school_id": sid,
                    "room": f"Raum {n % 20 + 1}",
                    "type": kind,
                    "inventory_number": f"INV-{sid:04d}-{n + 1:04d}",
                    "serial_number": f"SN{sid:04d}{n:05d}",
                    "model": f"Modell {kind[:3].upper()}-{n % 4 + 1}",
                    "notes": "",
                    "status": "in_use",
                    "token": f"g{sid:05d}d{n:05d}",
                    "created_at": now,
                }
            )
            devices_of[sid].append((len(devices), kind))
    for number, room in enumerate(rooms, 1):
        room.update(id=number, token=f"g{number:07d}r", created_at=now)
    visits = generated_visits(schools, managers_of, now)
    for table, rows in (
        ("campuses", campuses),
        ("schools", schools),
        ("users", users),
        ("campus_managers", links),
        ("rooms", rooms),
        ("devices", devices),
        ("visits", visits),
    ):
        bulk_insert(connection, db.metadata.tables[table], rows)
    return City(schools, managers_of, teachers_of, devices_of, house, len(users))


def _tickets(connection, shape: Shape, city: City, rng, now, progress) -> tuple[int, int]:
    """Tickets in the order they were filed (number 1 the oldest), with their histories."""
    tickets: list[dict] = []
    events: list[dict] = []
    event_id = 0
    span = timedelta(days=shape.days).total_seconds()
    for number in range(1, shape.tickets + 1):
        created = now - timedelta(seconds=span * (1 - number / (shape.tickets + 1)))
        school = city.schools[rng.randrange(len(city.schools))]
        ticket, trail = _one_ticket(number, created, school, city, rng, now)
        tickets.append(ticket)
        for entry in trail:
            event_id += 1
            event = dict(zip(EVENT_COLUMNS, entry, strict=True))
            event.update(id=event_id, ticket_id=number, internal=entry[0] == "noted", mailed=True)
            events.append(event)
        if len(tickets) >= BATCH:
            bulk_insert(connection, db.metadata.tables["tickets"], tickets)
            bulk_insert(connection, db.metadata.tables["ticket_events"], events)
            progress(len(tickets))
            tickets, events = [], []
    bulk_insert(connection, db.metadata.tables["tickets"], tickets)
    bulk_insert(connection, db.metadata.tables["ticket_events"], events)
    progress(len(tickets))
    return shape.tickets, event_id


def _one_ticket(number, created, school, city: City, rng, now):
    reporter = rng.choice(city.teachers_of[school["id"]])
    manager = rng.choice(city.managers_of[school["campus_id"]])
    device = rng.choice(city.devices_of[school["id"]]) if rng.random() < 0.85 else None
    category = rng.choice(list(CATEGORIES))
    t = {
        "id": number,
        "number": number,
        "reporter_id": reporter,
        "campus_id": school["campus_id"],
        "school_id": school["id"],
        "room": f"Raum {rng.randint(1, 20)}",
        "device_id": device[0] if device else None,
        "category": category,
        "impact": rng.choice(IMPACTS),
        "title": rng.choice(CATEGORIES[category]),
        "description": "Seit der zweiten Stunde. Neustart hat nicht geholfen.",
        "status": "new",
        "level": 1,
        "assignee_id": None,
        "l1_assignee_id": None,
        "created_at": created,
        "updated_at": created,
        "first_response_at": None,
        "escalated_at": None,
        "resolved_at": None,
        "closed_at": None,
        "resolved_level": None,
        "l1_capable": None,
        "reopened_count": 0,
        "version": 1,
    }
    trail = [("created", reporter, created, None, "new", None, 1, "")]

    def step(kind, actor, when, status=None, level=None, text=""):
        status, level = status or t["status"], level or t["level"]
        trail.append((kind, actor, when, t["status"], status, t["level"], level, text))
        t.update(status=status, level=level, updated_at=when, version=t["version"] + 1)

    age = now - created
    still_open = age < timedelta(days=14) and rng.random() < 0.5
    if rng.random() < 0.05:
        step("cancelled", reporter, created + timedelta(hours=1), "cancelled")
        t["closed_at"] = created + timedelta(hours=1)
        return t, trail
    if still_open and rng.random() < 0.3:
        return t, trail
    claimed = created + timedelta(hours=rng.uniform(0.2, 8))
    if claimed > now:
        return t, trail
    t.update(first_response_at=claimed, assignee_id=manager, l1_assignee_id=manager)
    step("claimed", manager, claimed, "in_progress")
    if rng.random() < 0.4 and claimed + timedelta(minutes=5) < now:
        step("replied", manager, claimed + timedelta(minutes=5), text="Ich komme vorbei.")
    if rng.random() < 0.35:
        escalated = claimed + timedelta(hours=rng.uniform(1, 24))
        if escalated > now:
            return t, trail
        t.update(escalated_at=escalated, assignee_id=None)
        step("escalated", manager, escalated, "escalated", 2, "Netzteil getauscht, ohne Erfolg.")
        if still_open:
            return t, trail
        solved = escalated + timedelta(hours=rng.uniform(4, 120))
        if solved > now:
            return t, trail
        admin = rng.choice(city.house)
        t.update(resolved_at=solved, resolved_level=2, assignee_id=admin)
        t["l1_capable"] = rng.random() < 0.2
        step("resolved", admin, solved, "resolved", text="Gerät getauscht.")
    else:
        solved = claimed + timedelta(hours=rng.uniform(1, 48))
        if still_open or solved > now:
            return t, trail
        t.update(resolved_at=solved, resolved_level=1)
        step("resolved", manager, solved, "resolved", text="Behoben.")
    if rng.random() < 0.03 and t["resolved_level"] == 1 and now - solved > timedelta(hours=6):
        again = t["resolved_at"] + timedelta(hours=2)
        t.update(reopened_count=1)
        step("reopened", reporter, again, "in_progress", text="Tritt wieder auf.")
        t["resolved_at"] = again + timedelta(hours=3)
        step("resolved", manager, t["resolved_at"], "resolved", text="Jetzt dauerhaft behoben.")
    if now - t["resolved_at"] > timedelta(days=7):
        closed = t["resolved_at"] + timedelta(days=rng.choice([1, 7]))
        t["closed_at"] = closed
        step("confirmed", reporter, closed, "closed")
    return t, trail


def _advance_sequences(connection) -> None:
    for table in ("campuses", "schools", "users", "rooms", "devices", "tickets", "ticket_events"):
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )
    connection.exec_driver_sql(
        "SELECT setval('ticket_numbers', (SELECT coalesce(max(number), 1) FROM tickets))"
    )
