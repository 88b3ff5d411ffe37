"""Fill a database with a large, realistic ticket history for the benchmarks.

    python benchmarks/generate.py --url sqlite:////tmp/campus-bench.db --tickets 1000000

The schema comes from the migrations (flask db upgrade). Rows are written in bulk
(executemany; COPY on PostgreSQL), not through the services: a million tickets through
the ORM would take an hour. The shape follows the demo: about 55 % resolved at level 1,
a third escalated, some reopened or cancelled, the last two weeks still open.
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CATEGORIES = [
    "tablet_notebook",
    "projector_display",
    "network_wifi",
    "printer",
    "software_app",
    "account_login",
    "other",
]
TYPES = ["tablet", "notebook", "desktop", "display_projector", "printer", "network", "other"]
IMPACTS = ["blocking", "impaired", "minor"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy database URL (empty database)")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--campuses", type=int, default=10)
    parser.add_argument("--schools", type=int, default=160)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    os.environ["CAMPUS_DATABASE_URL"] = args.url
    os.environ.setdefault("CAMPUS_ENV", "development")
    from flask_migrate import upgrade

    from campus import create_app
    from campus.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        with db.engine.begin() as connection:
            counts = fill(connection, args, random.Random(args.seed))
        from campus.reports.facts import rebuild_facts

        rebuild_facts()  # the report facts, as the services would have kept them
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        else:
            with db.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        took = time.perf_counter() - started
        print(", ".join(f"{n:,} {what}" for what, n in counts.items()), f"in {took:.0f} s")


def fill(connection, args, rng: random.Random) -> dict[str, int]:
    now = datetime.now(UTC).replace(microsecond=0)
    pwd = "pbkdf2:sha256:1000$benchmark$" + "0" * 64  # nobody logs in with these
    campuses = [
        {"id": i + 1, "name": f"Campus {i + 1:02d}", "created_at": now}
        for i in range(args.campuses)
    ]
    schools = [
        {
            "id": i + 1,
            "name": f"Schule {i + 1:03d}",
            "short_name": f"S{i + 1:03d}",
            "school_number": f"{100000 + i}",
            "address": "",
            "campus_id": i % args.campuses + 1,
            "created_at": now,
        }
        for i in range(args.schools)
    ]
    users, managers_of, teachers_of = [], {}, {}
    uid = 0

    def user(role, school_id=None):
        nonlocal uid
        uid += 1
        users.append(
            {
                "id": uid,
                "email": f"u{uid}@bench.test",
                "display_name": f"User {uid}",
                "password_hash": pwd,
                "role": role,
                "active": True,
                "school_id": school_id,
                "session_version": 1,
                "created_at": now,
            }
        )
        return uid

    links = []
    for campus in campuses:
        managers_of[campus["id"]] = [user("campus_manager") for _ in range(3)]
        links += [{"user_id": m, "campus_id": campus["id"]} for m in managers_of[campus["id"]]]
    house = [user("system_house") for _ in range(5)]
    user("admin")
    for school in schools:
        teachers_of[school["id"]] = [user("teacher", school["id"]) for _ in range(10)]
    devices, devices_of = [], {}
    for school in schools:
        devices_of[school["id"]] = []
        for n in range(50):
            devices.append(
                {
                    "id": len(devices) + 1,
                    "school_id": school["id"],
                    "room": f"R{n % 20}",
                    "type": TYPES[n % len(TYPES)],
                    "inventory_number": f"INV-{n:04d}",
                    "serial_number": "",
                    "model": "",
                    "notes": "",
                    "created_at": now,
                }
            )
            devices_of[school["id"]].append(devices[-1])

    insert(connection, "campuses", campuses)
    insert(connection, "schools", schools)
    insert(connection, "users", users)
    insert(connection, "campus_managers", links)
    insert(connection, "devices", devices)

    tickets, events, ticket_count, event_count = [], [], 0, 0
    for number in range(1, args.tickets + 1):
        school = schools[rng.randrange(len(schools))]
        campus_id = school["campus_id"]
        reporter = rng.choice(teachers_of[school["id"]])
        device = rng.choice(devices_of[school["id"]]) if rng.random() < 0.85 else None
        age = rng.random() * 365
        created = now - timedelta(days=age)
        manager = rng.choice(managers_of[campus_id])
        t = {
            "id": number,
            "number": number,
            "reporter_id": reporter,
            "campus_id": campus_id,
            "school_id": school["id"],
            "room": "",
            "device_id": device["id"] if device else None,
            "category": rng.choice(CATEGORIES),
            "impact": rng.choice(IMPACTS),
            "title": "Störung",
            "description": "…",
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
        }
        trail = [("created", reporter, created, None, "new", None, 1)]

        def step(kind, actor, when, status, level=None):
            trail.append((kind, actor, when, t["status"], status, t["level"], level or t["level"]))
            t["status"] = status
            t["level"] = level or t["level"]
            t["updated_at"] = when

        roll = rng.random()
        open_for = age < 14 and rng.random() < 0.5
        if roll < 0.05:
            step("cancelled", reporter, created + timedelta(hours=1), "cancelled")
            t["closed_at"] = created + timedelta(hours=1)
        elif not (open_for and rng.random() < 0.3):
            claimed = created + timedelta(hours=rng.uniform(0.2, 8))
            t["first_response_at"], t["assignee_id"], t["l1_assignee_id"] = (
                claimed,
                manager,
                manager,
            )
            step("claimed", manager, claimed, "in_progress")
            if rng.random() < 0.35:
                escalated = claimed + timedelta(hours=rng.uniform(1, 24))
                t["escalated_at"], t["assignee_id"] = escalated, None
                step("escalated", manager, escalated, "escalated", 2)
                if not open_for:
                    solved = escalated + timedelta(hours=rng.uniform(4, 120))
                    admin = rng.choice(house)
                    t.update(
                        resolved_at=solved,
                        resolved_level=2,
                        assignee_id=admin,
                        l1_capable=rng.random() < 0.2,
                    )
                    step("resolved", admin, solved, "resolved")
            elif not open_for:
                solved = claimed + timedelta(hours=rng.uniform(1, 48))
                t.update(resolved_at=solved, resolved_level=1)
                step("resolved", manager, solved, "resolved")
            if t["status"] == "resolved" and now - t["resolved_at"] > timedelta(days=7):
                closed = t["resolved_at"] + timedelta(days=rng.choice([1, 7]))
                t["closed_at"] = closed
                step("confirmed", reporter, closed, "closed")
        tickets.append(t)
        for kind, actor, when, old, new, old_level, new_level in trail:
            event_count += 1
            events.append(
                {
                    "id": event_count,
                    "ticket_id": number,
                    "actor_id": actor,
                    "kind": kind,
                    "old_status": old,
                    "new_status": new,
                    "old_level": old_level,
                    "new_level": new_level,
                    "text": "",
                    "internal": False,
                    "created_at": when,
                }
            )
        if len(tickets) >= 20_000:
            insert(connection, "tickets", tickets)
            insert(connection, "ticket_events", events)
            ticket_count += len(tickets)
            tickets, events = [], []
    insert(connection, "tickets", tickets)
    insert(connection, "ticket_events", events)
    ticket_count += len(tickets)
    if connection.dialect.name == "postgresql":
        for table in ("campuses", "schools", "users", "devices", "tickets", "ticket_events"):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    return {
        "tickets": ticket_count,
        "events": event_count,
        "users": len(users),
        "devices": len(devices),
    }


def insert(connection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        columns = list(rows[0])
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    from sqlalchemy import insert as sql_insert

    from campus.extensions import db

    connection.execute(sql_insert(db.metadata.tables[table]), rows)


if __name__ == "__main__":
    main()
