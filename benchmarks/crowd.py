"""A city's working day, compressed: 200 simulated people click through the pages of
gunicorn (config/gunicorn.conf.py, production settings) on PostgreSQL for five minutes.

    python benchmarks/crowd.py [--users 200] [--duration 300] [--tickets 100000]

A throwaway database on the server CAMPUS_TEST_DATABASE_URL names (default the local
one) is filled by `flask campus generate`. Then, each with their own login (CSRF and
all) and a few seconds to think between clicks:
- teachers (70 %) file tickets, look at their list and at their tickets;
- campus managers (20 %) work their queue: open a ticket and take, answer or solve it,
  whichever the page offers;
- the system house (5 %) works level 2 the same way;
- administrators (5 %) read the reports, the start page and the list of all tickets.
Afterwards every ticket and every answer that the server confirmed is looked up in the
database: a write that was confirmed and is missing is a lost write. Prints latency per
page (median, 95th, 99th percentile), errors (5xx, failed connections, unexpected
answers) and refusals (409: someone else was quicker, told to the user), and writes
benchmarks/results/<date>-crowd.json. The database is dropped at the end.

Login limits are off for the run: 200 people behind one address (127.0.0.1) would look
like an attack to them, as a school's NAT may (issue 12 deals with that).
"""

import argparse
import json
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from pages import DOMAIN, PASSWORD  # noqa: E402
from serve import Browser, free_port  # noqa: E402

ACTION = re.compile(r'action="/tickets/(\d+)/(claim|reply|resolve|note)"')
TICKET = re.compile(r'href="/tickets/(\d+)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.refused = defaultdict(int)
        self.samples = []
        self.steady_from = float("inf")  # when everyone has logged in
        self.steady = defaultdict(list)  # the times after that
        self.filed = []  # (ticket id, title)
        self.answers = []  # texts confirmed by a redirect

    def record(self, kind: str, status: int, took: float, expected=(200,)) -> bool:
        with self.lock:
            self.times[kind].append(took)
            if time.perf_counter() >= self.steady_from:
                self.steady[kind].append(took)
            if status in expected:
                return True
            if status == 409:
                self.refused[kind] += 1
            else:
                self.errors[kind] += 1
                self.samples.append(f"{kind}: {status}")
            return False


class Person:
    def __init__(self, port: int, email: str, role: str, tally: Tally, rng: random.Random):
        self.browser, self.email, self.role = Browser(port), email, role
        self.tally, self.rng, self.csrf = tally, rng, ""
        self.mine: list[int] = []

    def get(self, kind: str, path: str) -> str:
        _status, html = self._send(kind, "GET", path, None, (200,))
        found = CSRF.search(html)
        if found:
            self.csrf = found.group(1)
        return html

    def post(self, kind: str, path: str, form: dict) -> tuple[int, str]:
        status, _ = self._send(kind, "POST", path, {**form, "csrf_token": self.csrf}, (302, 303))
        return status, self.browser.location

    def _send(self, kind, method, path, form, expected) -> tuple[int, str]:
        started = time.perf_counter()
        try:
            status, html = self.browser.request(method, path, form)
        except OSError:
            status, html = 0, ""
            self.browser.reconnect()
        self.tally.record(kind, status, (time.perf_counter() - started) * 1000, expected)
        return status, html

    # --- what each role does -------------------------------------------------------

    def teacher(self):
        roll = self.rng.random()
        if roll < 0.25 or not self.mine:
            self.get("report form", "/tickets/new")
            title = f"Beamer {uuid.uuid4().hex[:10]}"
            status, location = self.post(
                "file a ticket",
                "/tickets/new",
                {
                    "category": "projector_display",
                    "impact": "impaired",
                    "room": "Raum 2",
                    "title": title,
                    "description": "Kein Bild seit der ersten Stunde.",
                },
            )
            found = re.search(r"/tickets/(\d+)$", location)
            if status in (302, 303) and found:
                self.mine.append(int(found.group(1)))
                with self.tally.lock:
                    self.tally.filed.append((int(found.group(1)), title))
        elif roll < 0.6:
            self.get("my tickets", "/tickets/mine")
        else:
            self.get("ticket page", f"/tickets/{self.rng.choice(self.mine)}")

    def support(self, queue_kind: str):
        roll = self.rng.random()
        html = self.get(queue_kind, "/tickets/")
        ids = TICKET.findall(html)
        if roll < 0.4 or not ids:
            return
        time.sleep(self.rng.uniform(0.5, 2))
        ticket = self.rng.choice(ids)
        page = self.get("ticket page", f"/tickets/{ticket}")
        offered = sorted({a for t, a in ACTION.findall(page) if t == ticket})
        if not offered or roll < 0.6:
            return
        time.sleep(self.rng.uniform(1, 4))
        action = self.rng.choice(offered)
        text = f"Antwort {uuid.uuid4().hex[:12]}"
        status, _ = self.post(action, f"/tickets/{ticket}/{action}", {f"{action}-text": text})
        if status in (302, 303) and action in ("reply", "note", "resolve"):
            with self.tally.lock:
                self.tally.answers.append(text)

    def admin(self):
        roll = self.rng.random()
        if roll < 0.4:
            self.get("reports", "/reports/")
        elif roll < 0.7:
            self.get("start page (admin)", "/admin/")
        else:
            self.get("all tickets", "/tickets/?sort=newest")

    def live(self, deadline: float, start_in: float):
        time.sleep(start_in)
        token = CSRF.search(self.browser.request("GET", "/auth/login")[1]).group(1)
        started = time.perf_counter()
        status, _ = self.browser.request(
            "POST", "/auth/login", {"csrf_token": token, "email": self.email, "password": PASSWORD}
        )
        self.tally.record("log in", status, (time.perf_counter() - started) * 1000, (302, 303))
        act = {
            "teacher": self.teacher,
            "manager": lambda: self.support("campus queue"),
            "system_house": lambda: self.support("level 2 queue"),
            "admin": self.admin,
        }[self.role]
        self._send("start page", "GET", "/", None, (200, 302))
        while time.perf_counter() < deadline:
            act()
            time.sleep(self.rng.uniform(2, 10))  # reading, typing, teaching


def people(count: int, schools: int, managers: int) -> list[tuple[str, str]]:
    rng = random.Random(11)
    mix = [("teacher", 0.70), ("manager", 0.20), ("system_house", 0.05), ("admin", 0.05)]
    crowd = []
    for role, share in mix:
        for n in range(max(1, round(count * share))):
            if role == "teacher":
                email = f"lehrkraft-{rng.randint(1, schools)}-{rng.randint(1, 10)}"
            elif role == "manager":
                email = f"manager-{n % managers + 1}"
            elif role == "system_house":
                email = f"systemhaus-{n % 5 + 1}"
            else:
                email = "admin"
            crowd.append((f"{email}@{DOMAIN}", role))
    return crowd[:count]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def lost_writes(url: str, tally: Tally) -> dict:
    """Confirmed tickets and answers that the database does not have."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        titles = dict(
            connection.execute(
                "SELECT id, title FROM tickets WHERE id = ANY(%s)", ([i for i, _ in tally.filed],)
            ).fetchall()
        )
        created = {
            r[0]
            for r in connection.execute(
                "SELECT ticket_id FROM ticket_events WHERE kind = 'created' AND ticket_id = ANY(%s)",
                ([i for i, _ in tally.filed],),
            )
        }
        texts = [
            r[0]
            for r in connection.execute(
                "SELECT text FROM ticket_events WHERE text = ANY(%s)", (tally.answers,)
            )
        ]
    return {
        "tickets": sum(1 for i, title in tally.filed if titles.get(i) != title or i not in created),
        "answers": len(set(tally.answers) - set(texts)),
        "answers_twice": len(texts) - len(set(texts)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=int, default=300)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--ramp", type=int, default=30, help="seconds over which people log in")
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "CAMPUS_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()

    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(args.server)
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"campus_crowd_{secrets.token_hex(4)}"
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    env = dict(os.environ, CAMPUS_DATABASE_URL=url, FLASK_APP="wsgi", CAMPUS_ENV="development")
    gunicorn = None
    try:
        flask = [str(ROOT / ".venv/bin/flask")]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL
        )
        subprocess.run(
            [*flask, "campus", "generate", f"--tickets={args.tickets}", f"--password={PASSWORD}"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        port = free_port()
        log = open(Path(os.environ.get("TMPDIR", "/tmp")) / "campus-crowd-server.log", "w")  # noqa: SIM115
        gunicorn = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=dict(
                env,
                CAMPUS_ENV="production",
                CAMPUS_SECRET_KEY=secrets.token_hex(32),
                CAMPUS_BIND=f"127.0.0.1:{port}",
                CAMPUS_LOG_LEVEL="WARNING",
                CAMPUS_RATELIMIT_ENABLED="false",
                CAMPUS_WEBHOOK_DELIVERY="off",
                CAMPUS_JOBS="off",
                CAMPUS_BASE_URL="http://127.0.0.1",
            ),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        time.sleep(3)
        tally = Tally()
        crowd = people(args.users, schools=160, managers=150)
        deadline = time.perf_counter() + args.ramp + args.duration
        threads = [
            threading.Thread(
                target=Person(port, email, role, tally, random.Random(n)).live,
                args=(deadline, args.ramp * n / len(crowd)),
            )
            for n, (email, role) in enumerate(crowd)
        ]
        started = time.perf_counter()
        tally.steady_from = started + args.ramp + 5  # the last login, and its first pages
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
        lost = lost_writes(url, tally)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    rows = {
        kind: {
            "requests": len(times),
            "median_ms": round(percentile(times, 0.5), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "errors": tally.errors.get(kind, 0),
            "refused_409": tally.refused.get(kind, 0),
        }
        for kind, times in sorted(tally.times.items())
    }
    writes = ("file a ticket", "claim", "reply", "note", "resolve", "log in")

    def page_views(table):
        return [t for kind, times in table.items() if kind not in writes for t in times]

    views = page_views(tally.times)
    steady = page_views(tally.steady)
    total = sum(len(t) for t in tally.times.values())
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "users": args.users,
        "seconds": round(took),
        "tickets": args.tickets,
        "requests": total,
        "req_per_s": round(total / took, 1),
        "page_view_p95_ms": round(percentile(views, 0.95), 1),
        # once all have logged in (200 password checks in --ramp seconds, each a deliberate
        # scrypt cost, share the two cores with the pages until then)
        "page_view_p95_ms_after_logins": round(percentile(steady, 0.95), 1),
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(Counter(tally.samples)),
        "filed": len(tally.filed),
        "answers": len(tally.answers),
        "lost": lost,
        "pages": rows,
    }
    print(
        f"\n{args.users} people, {took:.0f} s, {total} requests ({total / took:.1f}/s), "
        f"PostgreSQL, {args.tickets:,} tickets before"
    )
    print(
        f"{'page':<22} {'requests':>8} {'median ms':>9} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'409':>4}"
    )
    for kind, row in rows.items():
        print(
            f"{kind:<22} {row['requests']:>8} {row['median_ms']:>9} {row['p95_ms']:>7} "
            f"{row['p99_ms']:>7} {row['errors']:>6} {row['refused_409']:>4}"
        )
    if tally.samples:
        print("errors:", dict(Counter(tally.samples)))
    print(
        f"page views p95 {result['page_view_p95_ms']} ms "
        f"({result['page_view_p95_ms_after_logins']} ms once all had logged in); "
        f"errors {result['errors']}; "
        f"{len(tally.filed)} tickets filed, {len(tally.answers)} answers; lost: {lost}"
    )
    out = ROOT / "benchmarks" / "results" / f"{result['date'][:10]}-crowd.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    bad = result["errors"] or any(lost.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
