"""Time the write paths through the real app: filing a ticket and working it.

Builds the demo in a throwaway SQLite file (or uses --url), then, through Flask's test
client (no network, one process), files tickets as the demo teacher and takes each one
through claim -> reply -> resolve as the demo manager. Prints the median and 90th
percentile per request and the SQL statements per request.

    python benchmarks/actions.py --rounds 200

Run it from the project root with the project's virtualenv; it is not part of make test.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a new SQLite file with the demo)")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="campus-bench-")
    url = args.url or f"sqlite:///{tmp}/bench.db"
    os.environ["CAMPUS_DATABASE_URL"] = url
    os.environ.setdefault("CAMPUS_ENV", "development")

    from sqlalchemy import event

    from campus import create_app
    from campus.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "WEBHOOK_DELIVERY": "off",
            "JOBS": "off",
            "UPLOAD_FOLDER": f"{tmp}/uploads",
            "LOGIN_MAX_FAILURES": 10_000,
        }
    )
    with app.app_context():
        if not args.url:
            db.create_all()
            runner = app.test_cli_runner()
            result = runner.invoke(args=["campus", "seed-demo"])
            assert result.exit_code == 0, result.output
        statements = [0]
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *_a: statements.__setitem__(0, statements[0] + 1),
        )

    def client_for(email):
        client = app.test_client()
        response = client.post("/auth/login", data={"email": email, "password": "campus-demo"})
        assert response.status_code == 302, response.status_code
        return client

    teacher, manager = client_for("teacher@demo.test"), client_for("manager@demo.test")
    timings: dict[str, list[float]] = {}
    queries: dict[str, list[int]] = {}

    def timed(name, call):
        statements[0] = 0
        start = time.perf_counter()
        response = call()
        timings.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        queries.setdefault(name, []).append(statements[0])
        assert response.status_code in (200, 302), (name, response.status_code)
        return response

    for n in range(args.rounds):
        response = timed(
            "file a ticket (form POST)",
            lambda n=n: teacher.post(
                "/tickets/new",
                data={
                    "category": "projector_display",
                    "impact": "impaired",
                    "room": "A 101",
                    "title": f"Beamer {n}",
                    "description": "Kein Bild.",
                },
            ),
        )
        ticket_id = int(re.search(r"/tickets/(\d+)", response.headers["Location"]).group(1))
        timed("take on", lambda t=ticket_id: manager.post(f"/tickets/{t}/claim"))
        timed(
            "reply",
            lambda t=ticket_id: manager.post(f"/tickets/{t}/reply", data={"reply-text": "Komme."}),
        )
        timed(
            "resolve",
            lambda t=ticket_id: manager.post(
                f"/tickets/{t}/resolve", data={"resolve-text": "Kabel getauscht."}
            ),
        )
        timed("ticket page", lambda t=ticket_id: manager.get(f"/tickets/{t}"))

    print(f"{'operation':<28} {'median ms':>10} {'p90 ms':>8} {'SQL':>5}")
    for name, values in timings.items():
        values.sort()
        p90 = values[int(len(values) * 0.9) - 1]
        print(
            f"{name:<28} {statistics.median(values):>10.1f} {p90:>8.1f} "
            f"{statistics.median(queries[name]):>5.0f}"
        )


if __name__ == "__main__":
    main()
