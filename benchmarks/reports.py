"""Time the reports page for 12 months on a database filled by `flask campus generate`.

    python benchmarks/reports.py --url sqlite:////tmp/campus-bench.db [--runs 7]

Prints the median and slowest of several runs for the figures alone (the SQL) and for
the whole page through HTTP (SQL + templates), as an administrator over all campuses
and as a campus manager. Target: the whole page under 300 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ["CAMPUS_DATABASE_URL"] = args.url
    os.environ.setdefault("CAMPUS_ENV", "development")

    from campus import create_app
    from campus.extensions import db
    from campus.models import Role, Ticket, User, utcnow
    from campus.reports.overview import full_report
    from campus.reports.period import preset_period, today_in_berlin
    from campus.reports.queries import Scope

    app = create_app()
    app.config.update(WTF_CSRF_ENABLED=False, PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    User.password_method = "pbkdf2:sha256:1000"
    with app.app_context():
        tickets = db.session.scalar(db.select(db.func.count(Ticket.id)))
        admin = db.session.scalar(db.select(User).where(User.role == Role.ADMIN))
        manager = db.session.scalar(db.select(User).where(User.role == Role.CAMPUS_MANAGER))
        for user in (admin, manager):
            user.set_password("benchmark-password")
        db.session.commit()
        logins = {"admin": admin.email, "manager": manager.email}
        period = preset_period("last_12_months", today_in_berlin())
        print(
            f"{db.engine.dialect.name}: {tickets:,} tickets; period {period.first} – {period.last}"
        )

        def figures():
            full_report(period, Scope(None), utcnow())
            db.session.rollback()

        report("figures (SQL), admin", measure(figures, args.runs))

    for role, email in logins.items():
        client = app.test_client()
        client.post("/auth/login", data={"email": email, "password": "benchmark-password"})

        def page(client=client):
            response = client.get("/reports/?preset=last_12_months")
            assert response.status_code == 200, response.status_code

        report(f"whole page (HTTP), {role}", measure(page, args.runs))


def measure(call, runs: int) -> list[float]:
    call()  # warm caches once
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(what: str, times: list[float]) -> None:
    median = statistics.median(times)
    verdict = "ok" if median < TARGET_MS else f"over the {TARGET_MS} ms target"
    print(f"  {what:34s} median {median:7.1f} ms   max {max(times):7.1f} ms   {verdict}")


if __name__ == "__main__":
    main()
