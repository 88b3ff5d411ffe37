"""Time every page as its users see it, in-process, on a database filled by
`flask campus generate --password benchmark-password`.

    python benchmarks/pages.py --url sqlite:////tmp/campus-bench/city-1000000.sqlite3 [--runs 30]

Flask's test client, production settings, CSRF off for the client only. For each page:
median and 95th percentile of the server time, SQL statements per request, and the peak
of Python memory allocated while it runs (tracemalloc, one extra run). Prints a table;
with --json writes the figures. Targets (issue 11): pages and filing under 15 ms, filing
at most 10 statements, reports for 12 months under 300 ms.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "benchmark-password"
DOMAIN = "generated.campus.test"
TARGETS = {"reports_admin": 300, "reports_manager": 300, "export_csv": None}


def pages(app, db):
    """(name, user, method, path, data): the pages of each role, on real ids."""
    from sqlalchemy import func, select

    from campus.models import Ticket, TicketStatus, campus_managers

    manager_campus = db.session.scalar(
        select(campus_managers.c.campus_id).where(
            campus_managers.c.user_id == _user_id(db, f"manager-1@{DOMAIN}")
        )
    )
    ticket = db.session.scalar(
        select(func.max(Ticket.id)).where(
            Ticket.campus_id == manager_campus, Ticket.status == TicketStatus.CLOSED
        )
    )
    oldest = db.session.scalar(
        select(func.min(Ticket.id)).where(Ticket.campus_id == manager_campus)
    )
    teacher = f"lehrkraft-1-1@{DOMAIN}"
    form = {
        "category": "projector_display",
        "impact": "impaired",
        "room": "Raum 3",
        "title": "Beamer zeigt kein Bild",
        "description": "Seit der ersten Stunde.",
    }
    return [
        ("start_manager", f"manager-1@{DOMAIN}", "GET", "/", None),
        ("start_teacher", teacher, "GET", "/", None),
        ("start_admin", f"admin@{DOMAIN}", "GET", "/admin/", None),
        ("queue_manager", f"manager-1@{DOMAIN}", "GET", "/tickets/", None),
        ("queue_system_house", f"systemhaus-1@{DOMAIN}", "GET", "/tickets/", None),
        ("queue_admin_all", f"admin@{DOMAIN}", "GET", "/tickets/?sort=newest", None),
        ("queue_manager_closed", f"manager-1@{DOMAIN}", "GET", "/tickets/?status=closed", None),
        ("mine_teacher", teacher, "GET", "/tickets/mine", None),
        ("ticket_page", f"manager-1@{DOMAIN}", "GET", f"/tickets/{ticket}", None),
        ("ticket_page_oldest", f"manager-1@{DOMAIN}", "GET", f"/tickets/{oldest}", None),
        ("file_ticket", teacher, "POST", "/tickets/new", form),
        ("reports_manager", f"manager-1@{DOMAIN}", "GET", "/reports/", None),
        ("reports_admin", f"admin@{DOMAIN}", "GET", "/reports/", None),
        ("export_csv", f"admin@{DOMAIN}", "GET", "/reports/export.csv?group_by=school", None),
    ]


def _user_id(db, email):
    from sqlalchemy import select

    from campus.models import User

    return db.session.scalar(select(User.id).where(User.email == email))


def deep_page(client, path: str, pages: int = 20) -> str:
    """Follow the list's "next" link `pages` times: the path of a deep page."""
    for _ in range(pages):
        html = client.get(path).get_data(as_text=True)
        found = re.search(r'<a class="page-link" href="([^"]+)"[^>]*rel="next"', html)
        if not found:
            break
        path = found.group(1).replace("&amp;", "&")
    return path


def measure(url: str, runs: int, only: set[str] | None = None) -> dict:
    os.environ.update(
        CAMPUS_DATABASE_URL=url,
        CAMPUS_ENV="production",
        CAMPUS_BASE_URL="http://127.0.0.1",
        CAMPUS_SECRET_KEY=os.environ.get("CAMPUS_SECRET_KEY", "bench-" + "x" * 40),
        CAMPUS_LOG_LEVEL="WARNING",
        CAMPUS_RATELIMIT_ENABLED="false",
    )
    from sqlalchemy import event, func, select

    from campus import create_app
    from campus.extensions import db
    from campus.models import Ticket

    app = create_app({"WTF_CSRF_ENABLED": False, "WEBHOOK_DELIVERY": "off", "JOBS": "off"})
    statements = [0]
    clients = {}
    with app.app_context():
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *_a: statements.__setitem__(0, statements[0] + 1),
        )
        tickets = db.session.scalar(select(func.count(Ticket.id)))
        plan = pages(app, db)
        db.session.remove()

    def client_for(email):
        if email not in clients:
            client = app.test_client()
            response = client.post(
                "https://127.0.0.1/auth/login", data={"email": email, "password": PASSWORD}
            )
            assert response.status_code in (302, 303), (email, response.status_code)
            clients[email] = client
        return clients[email]

    deep = ("queue_admin_deep", f"admin@{DOMAIN}", "GET", None, None)
    plan.insert(6, deep)
    results = {}
    for name, email, method, path, data in plan:
        if only and name not in only:
            continue
        client = client_for(email)
        if name == "queue_admin_deep":
            path = deep_page(client, "/tickets/?sort=newest")

        def call(client=client, method=method, path=path, data=data):
            statements[0] = 0
            started = time.perf_counter()
            response = client.open("https://127.0.0.1" + path, method=method, data=data)
            body = response.get_data()
            took = (time.perf_counter() - started) * 1000
            assert response.status_code in (200, 302, 303), (name, path, response.status_code)
            return took, statements[0], len(body)

        call()  # warm caches once
        times, counts, size = [], [], 0
        for _ in range(runs):
            took, count, size = call()
            times.append(took)
            counts.append(count)
        tracemalloc.start()
        call()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        times.sort()
        results[name] = {
            "path": path,
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
            "queries": max(counts),
            "queries_min": min(counts),
            "peak_kib": round(peak / 1024),
            "bytes": size,
        }
    return {"tickets": tickets, "pages": results}


def print_table(title: str, figures: dict) -> None:
    print(f"\n{title}: {figures['tickets']:,} tickets, in-process")
    print(f"{'page':<24} {'median ms':>10} {'p95 ms':>8} {'SQL':>5} {'peak KiB':>9}  target")
    for name, row in figures["pages"].items():
        target = TARGETS.get(name, 15)
        verdict = "" if target is None else ("ok" if row["median_ms"] < target else f"> {target}")
        queries = (
            f"{row['queries']}"
            if row["queries"] == row["queries_min"]
            else f"{row['queries_min']}-{row['queries']}"
        )
        print(
            f"{name:<24} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} {queries:>5} "
            f"{row['peak_kib']:>9}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", help="comma-separated page names")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    figures = measure(args.url, args.runs, set(args.only.split(",")) if args.only else None)
    print_table(args.url, figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
