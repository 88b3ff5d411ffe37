"""Time the privacy retention job's first run on a generated city, on SQLite or PostgreSQL,
and check that the report figures are the same afterwards.

    python benchmarks/retention.py --url sqlite:////tmp/retention-bench.db --tickets 50000
    python benchmarks/retention.py --url postgresql+psycopg://postgres@127.0.0.1/retbench

The database must be empty (a throwaway one). The script makes the schema, generates a city
(`flask campus generate`'s code), sets the ticket period to 30 days so that nearly every
closed ticket is due, times a dry run and the real run, compares every report grouping
before and after, and writes benchmarks/results/<date>-retention-<database>.json. The job
runs nightly: the target is that a city's first run (a million tickets) stays well under
an hour, i.e. under 3.6 ms a ticket.
"""

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS_PER_TICKET = 3.6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--tickets", type=int, default=50_000)
    args = parser.parse_args()
    os.environ["CAMPUS_DATABASE_URL"] = args.url
    os.environ.setdefault("CAMPUS_ENV", "development")
    os.environ.setdefault("CAMPUS_JOBS", "off")

    from sqlalchemy import inspect

    from campus import create_app
    from campus.demo_city import Shape, generate
    from campus.extensions import db
    from campus.models import PrivacySettings
    from campus.privacy.retention import run_retention
    from campus.reports.export import row_to_dict
    from campus.reports.period import Period, today_in_berlin
    from campus.reports.queries import Scope, first_level_resolution_rate
    from campus.reports.sums import GROUPINGS

    app = create_app()
    with app.app_context():
        if inspect(db.engine).get_table_names():
            sys.exit("retention: the database is not empty; give a throwaway one")
        db.create_all()
        try:
            generate(Shape(tickets=args.tickets, campuses=10, schools=30, managers=30), "-")
            db.session.add(
                PrivacySettings(id=1, ticket_days=30, manager_figures=True, login_days=7)
            )
            db.session.commit()
            period = Period(today_in_berlin() - timedelta(days=400), today_in_berlin())

            def figures():
                return {
                    str(group): [
                        row_to_dict(row)
                        for row in first_level_resolution_rate(period, Scope(), group)
                    ]
                    for group in (None, *GROUPINGS)
                }

            before = figures()
            folder = app.config["UPLOAD_FOLDER"]
            started = time.perf_counter()
            dry = run_retention(folder, dry_run=True)
            dry_s = time.perf_counter() - started
            started = time.perf_counter()
            done = run_retention(folder)
            run_s = time.perf_counter() - started
            same = figures() == before
            database = db.engine.dialect.name
        finally:
            db.session.remove()
            db.drop_all()
    per_ticket = 1000 * run_s / max(done.tickets, 1)
    result = {
        "database": database,
        "tickets_generated": args.tickets,
        "tickets_anonymised": done.tickets,
        "dry_run_s": round(dry_s, 2),
        "run_s": round(run_s, 2),
        "ms_per_ticket": round(per_ticket, 3),
        "figures_equal": same,
        "dry_run_agrees": dry.tickets == done.tickets,
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    name = f"{datetime.now(UTC):%Y-%m-%d}-retention-{result['database']}.json"
    (out / name).write_text(json.dumps(result, indent=2) + "\n")
    ok = same and result["dry_run_agrees"] and per_ticket < TARGET_MS_PER_TICKET
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
