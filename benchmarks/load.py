"""A bounded load test against gunicorn + PostgreSQL on 127.0.0.1.

    python benchmarks/load.py [--users 50] [--duration 60] [--server postgresql+psycopg://postgres@127.0.0.1:5432/test]

Creates a throwaway database on the server, migrates it, loads the demo, starts gunicorn
(production settings) on a free local port, and lets simulated users work through the
JSON API: 70 % read lists and tickets, 20 % comment, 10 % file tickets. Prints requests
per second, p50/p95/p99 latency and the error count; then checks that every ticket the
users filed exists exactly once with all its events. Drops the database afterwards.
"""

import argparse
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - 127.0.0.1 only
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                payload = json.loads(response.read() or b"null")
                status = response.status
        except urllib.error.HTTPError as error:
            payload, status = None, error.code
        except OSError:
            payload, status = None, 0
        return status, payload, (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "CAMPUS_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--log",
        default=os.path.join(tempfile.gettempdir(), "campus-load-server.log"),
        help="where the server's error log goes",
    )
    args = parser.parse_args()

    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(args.server)
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"campus_load_{secrets.token_hex(4)}"
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    env = dict(
        os.environ,
        CAMPUS_ENV="production",
        CAMPUS_DATABASE_URL=url,
        CAMPUS_SECRET_KEY=secrets.token_hex(32),
        CAMPUS_API_REQUESTS_PER_MINUTE="100000",
        CAMPUS_LOG_LEVEL="WARNING",
        CAMPUS_WEBHOOK_DELIVERY="off",
        CAMPUS_JOBS="off",  # mails are written to the outbox (measured), not sent
        CAMPUS_BASE_URL="http://127.0.0.1",
    )
    gunicorn = None
    try:
        tokens = prepare(env)
        port = free_port()
        log_file = open(args.log, "w")  # noqa: SIM115 - kept open for the server's life
        print(f"server log: {args.log}")
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=dict(env, CAMPUS_BIND=f"127.0.0.1:{port}", CAMPUS_WORKERS=str(args.workers)),
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        base = f"http://127.0.0.1:{port}/api/v1"
        wait_until_ready(f"http://127.0.0.1:{port}/readyz")
        return run_load(base, tokens, args, url)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(env: dict) -> dict[str, list[str]]:
    """Migrate, load the demo and make a token for every teacher and manager."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from campus import create_app
    from campus.auth.tokens import create_token
    from campus.demo import seed_demo
    from campus.extensions import db
    from campus.models import Role, User

    app = create_app()
    with app.app_context():
        upgrade()
        seed_demo()
        tokens: dict[str, list[str]] = {"teacher": [], "campus_manager": []}
        for user in db.session.scalars(
            db.select(User).where(User.role.in_([Role.TEACHER, Role.CAMPUS_MANAGER]))
        ):
            tokens[user.role].append(create_token(user, user, "load test")[1])
        db.session.commit()
        db.engine.dispose()
    return tokens


def wait_until_ready(url: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready")


def run_load(base: str, tokens: dict, args, url: str) -> int:
    latencies: list[float] = []
    errors: list[int] = []
    filed: list[tuple[int, str]] = []
    replies: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + args.duration

    def user_loop(number: int) -> None:
        rng = random.Random(number)
        teacher = number % 5 != 0  # four in five simulated users are teachers
        client = Client(base, rng.choice(tokens["teacher" if teacher else "campus_manager"]))
        own: list[int] = []
        while time.monotonic() < stop_at:
            roll = rng.random()
            if roll < 0.10 and teacher:
                marker = secrets.token_hex(6)
                status, body, ms = client.call(
                    "POST",
                    "/tickets",
                    {
                        "title": f"Last {marker}",
                        "description": "Beamer bleibt schwarz.",
                        "category": "projector_display",
                        "impact": "impaired",
                    },
                )
                if status == 201:
                    own.append(body["id"])
                    with lock:
                        filed.append((body["id"], marker))
            elif roll < 0.30 and (own or not teacher):
                status, body, ms = client.call("GET", "/tickets?per_page=20")
                ids = own or [t["id"] for t in (body or {}).get("items", [])]
                if ids:
                    ticket_id = rng.choice(ids)
                    action = "reply" if teacher else "note"
                    status, body, ms2 = client.call(
                        "POST",
                        f"/tickets/{ticket_id}/actions",
                        {"action": action, "text": "Nachtrag"},
                    )
                    ms += ms2
                    if status == 200:
                        with lock:
                            replies[ticket_id] = replies.get(ticket_id, 0) + 1
                    elif status == 409:
                        status = 200  # the workflow refused (e.g. a closed ticket): fine
            else:
                status, body, ms = client.call("GET", "/tickets?per_page=25")
                items = (body or {}).get("items", [])
                if status == 200 and items:
                    status, body, ms2 = client.call("GET", f"/tickets/{rng.choice(items)['id']}")
                    ms += ms2
            with lock:
                latencies.append(ms)
                if status not in (200, 201):
                    errors.append(status)

    threads = [threading.Thread(target=user_loop, args=(n,)) for n in range(args.users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{args.users} users, {took:.0f} s: {len(latencies):,} operations, "
        f"{len(latencies) / took:.1f}/s; p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, "
        f"p99 {q[98]:.0f} ms; errors {len(errors)}"
        + (f" by status {dict(Counter(errors))}" if errors else "")
    )
    return check(url, filed, replies) or (1 if errors else 0)


def check(url: str, filed: list[tuple[int, str]], replies: dict[int, int]) -> int:
    """Every filed ticket exists exactly once, with its creation and each reply/note."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    problems = 0
    with psycopg.connect(dsn) as connection:
        for ticket_id, marker in filed:
            found = connection.execute(
                "SELECT count(*) FROM tickets WHERE title = %s", (f"Last {marker}",)
            ).fetchone()[0]
            created = connection.execute(
                "SELECT count(*) FROM ticket_events WHERE ticket_id = %s AND kind = 'created'",
                (ticket_id,),
            ).fetchone()[0]
            problems += found != 1 or created != 1
        for ticket_id, expected in replies.items():
            stored = connection.execute(
                "SELECT count(*) FROM ticket_events WHERE ticket_id = %s AND kind IN "
                "('replied', 'noted') AND text = 'Nachtrag'",
                (ticket_id,),
            ).fetchone()[0]
            problems += stored != expected
    print(
        f"filed {len(filed)} tickets, {sum(replies.values())} comments: "
        f"{'all present exactly once' if not problems else f'{problems} MISMATCHES'}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
