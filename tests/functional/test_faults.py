"""Faults survived, with real processes: Redis stopped under a running app, (under make
test-postgres) a PostgreSQL cluster of the test's own restarted while teachers file
tickets against gunicorn, a full or read-only photo disk, and a webhook sender killed in
the middle of a delivery."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from glob import glob
from pathlib import Path

import pytest
from sqlalchemy import func, select

from campus import create_app
from campus.extensions import db
from campus.models import Role, Ticket, TicketEvent
from tests.conftest import PASSWORD, logged_in, login
from tests.functional.test_simultaneous_reports import (
    _file,
    _free_port,
    _serve,
    _teachers_with_tokens,
)

ROOT = Path(__file__).resolve().parents[2]


def _wait_for_port(port: int, up: bool = True, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.1)
    pytest.fail(f"port {port} did not come {'up' if up else 'down'}")


# --- Redis goes away -----------------------------------------------------------------------


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    _wait_for_port(port)
    yield process, port
    process.kill()
    process.wait(timeout=10)


def test_logins_and_pages_work_on_when_redis_stops(redis_server, tmp_path, make_user):
    """The login limits count in Redis; when it stops, logins and pages go on, and the
    limits go on too, counted in memory."""
    process, port = redis_server
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'redis.db'}",
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "RATELIMIT_ENABLED": True,
            "LOGIN_MAX_FAILURES": 3,
        }
    )
    with app.app_context():  # only to set up: each request below has a context of its own
        db.create_all()
        user = make_user(Role.TEACHER, email="lehrerin@example.org").email
        other = make_user(Role.TEACHER, email="kollegin@example.org").email
    client = app.test_client()
    assert login(client, user, "falsch").status_code == 422
    import redis

    assert redis.Redis(port=port).keys("*campus-login*")  # counted in Redis

    process.kill()
    process.wait(timeout=10)
    _wait_for_port(port, up=False)
    assert login(client, user, PASSWORD).status_code == 302  # no 500
    assert logged_in(client)
    assert client.get("/tickets/mine").status_code == 200
    # the limit holds without Redis: three failures lock the account again
    stranger = app.test_client()
    for _ in range(3):
        assert login(stranger, other, "falsch").status_code == 422
    assert login(stranger, other, PASSWORD).status_code == 429
    with app.app_context():
        db.engine.dispose()


# --- PostgreSQL restarts under load --------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class Cluster:
    """A PostgreSQL cluster of the test's own, on its own port and data folder."""

    def __init__(self, bin_dir: Path, folder: Path):
        self.bin, self.folder, self.port = bin_dir, folder, _free_port()
        self.data = folder / "data"
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_owner, *args], check=True, capture_output=True)

    def init(self) -> None:
        if self.as_owner:
            shutil.chown(self.folder, "postgres")
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")  # the server's output: not our pipes to wait on
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start"
        )
        _wait_for_port(self.port)

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster():
    if not os.environ.get("CAMPUS_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("needs PostgreSQL: run with make test-postgres")
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server programs are not installed")
    folder = Path(tempfile.mkdtemp(prefix="campus-pg-"))
    folder.chmod(0o755)
    own = Cluster(bin_dir, folder)
    own.init()
    own.start()
    yield own
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        own.stop("immediate")
    shutil.rmtree(folder, ignore_errors=True)


def test_a_database_restart_under_load_is_answered_and_survived(
    cluster, tmp_path, make_user, make_school
):
    """Teachers keep filing while the database restarts: during the outage they are told
    to try again (503 with a reason), nothing is half-written, and the running app
    serves again once the database is back, without being restarted itself."""
    live = create_app({"SQLALCHEMY_DATABASE_URI": cluster.url, "UPLOAD_FOLDER": str(tmp_path)})
    with live.app_context():
        db.create_all()
        tokens = _teachers_with_tokens(make_user, make_school)[:4]
        make_user(Role.TEACHER, email="seite@example.org")
        db.session.remove()
        db.engine.dispose()
    server, base, output = _serve(cluster.url, tmp_path / "gunicorn.log")
    results: list[tuple[float, int, dict]] = []
    stop = threading.Event()

    def teacher(token: str, n: int):
        k = 0
        while not stop.is_set():
            k += 1
            status, body = _file(base, token, f"Beamer {n}-{k}")
            results.append((time.monotonic(), status, body))
            time.sleep(0.05)

    threads = [threading.Thread(target=teacher, args=(t, n)) for n, t in enumerate(tokens)]
    browser = _logged_in_browser(base, "seite@example.org")
    try:
        for thread in threads:
            thread.start()
        time.sleep(2)
        cluster.stop("fast")
        down_at = time.monotonic()
        time.sleep(3)
        page = _page_during_outage(browser, base)
        restart_at = time.monotonic()
        cluster.start()
        up_at = time.monotonic()
        time.sleep(4)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        server.terminate()
        server.wait(timeout=30)
        output.close()

    statuses = {status for _at, status, _body in results}
    log = (tmp_path / "gunicorn.log").read_text(errors="replace").splitlines()
    unexpected = [line for line in log if "database unavailable" not in line]
    assert statuses <= {201, 503}, "\n".join(unexpected[-80:])
    outage = [body for at, status, body in results if status == 503]
    assert outage, "no request met the outage"
    for body in outage:
        error = json.loads(body["body"])["error"]
        assert error["code"] == "unavailable"
    assert any(status == 201 and at > up_at for at, status, _b in results)  # recovered
    assert all(status == 503 for at, status, _b in results if down_at + 0.5 < at < restart_at)
    assert page == (503, True)

    check = create_app({"SQLALCHEMY_DATABASE_URI": cluster.url})
    with check.app_context():
        confirmed = {body["number"] for _at, status, body in results if status == 201}
        stored = set(db.session.scalars(select(Ticket.number)))
        assert confirmed <= stored  # every confirmed report is there
        created = db.session.scalar(
            select(func.count(TicketEvent.id)).where(TicketEvent.kind == "created")
        )
        assert created == len(stored)  # no ticket without its history, none twice
        from tests.unit.test_report_queries import facts_match_a_rebuild

        assert facts_match_a_rebuild()  # the report figures agree with the tickets
        db.session.remove()
        db.engine.dispose()


def _logged_in_browser(base: str, email: str):
    """A browser with a cookie jar, logged in through the form (CSRF token and all)."""
    import http.cookiejar
    import re

    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with browser.open(base + "/auth/login", timeout=30) as response:
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()
        )
    form = {"csrf_token": token.group(1), "email": email, "password": PASSWORD}
    data = urllib.parse.urlencode(form).encode()
    with browser.open(base + "/auth/login", data=data, timeout=30) as response:
        assert "/auth/login" not in response.url  # followed the redirect into Campus
    return browser


def _page_during_outage(browser, base: str) -> tuple[int, bool]:
    """A page (not the API) while the database is down: a "try again" page, 503."""
    try:
        with browser.open(base + "/tickets/mine", timeout=30) as response:
            return response.status, False
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        return error.code, "Datenbank" in text and error.headers.get("Retry-After") == "30"


# --- the disk for photos is full or read-only ---------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB file system of the test's own (tmpfs), for the upload folder."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_full_or_read_only_photo_disk_saves_nothing_and_says_so(
    app, world, as_user, small_disk, fault
):
    from tests.functional.test_ticket_photos import report, ticket_count
    from tests.tickets_helpers import png_bytes

    app.config["UPLOAD_FOLDER"] = str(small_disk)
    first = png_bytes(8, 8)
    if fault == "full":
        (small_disk / "filler").write_bytes(b"\0" * 60_000)  # a few KiB left: one photo fits
        photos = [("a.png", first), ("b.png", _noisy_png(40_000))]
    else:
        subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
        photos = [("a.png", first)]
    before = ticket_count()
    page = report(as_user(world.teacher), *photos)
    assert page.status_code == 503
    assert "nicht gespeichert" in page.text  # the report was not saved, and why
    assert 'value="iPad Display"' in page.text  # what the teacher typed is still there
    assert ticket_count() == before  # no ticket without its photos
    leftovers = {p.name for p in small_disk.iterdir()} - {"filler"}
    assert leftovers == set()  # no photo without its ticket
    if fault == "read-only":
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert report(as_user(world.teacher)).status_code == 302  # without photos it works


def _noisy_png(size: int) -> bytes:
    """A PNG that does not compress below `size` bytes."""
    import io

    from PIL import Image

    side = int((size / 3) ** 0.5) + 8
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- A sender dies in the middle of a delivery ---------------------------------------------


class HoldingReceiver:
    """A real HTTP receiver that notes every message and, while `holding`, never answers
    (the sender stays in the middle of its attempt until it is killed)."""

    def __init__(self, delay: float = 0.0):
        from werkzeug.serving import make_server

        self.received: list[tuple[str, str, bytes]] = []  # (delivery id, signature, body)
        self.arrived = threading.Event()
        self.holding = threading.Event()
        self.delay = delay
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def app(self, environ, start_response):
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        with self.lock:
            self.received.append(
                (
                    request.headers["X-Campus-Delivery"],
                    request.headers["X-Campus-Signature"],
                    request.get_data(),
                )
            )
        self.arrived.set()
        while self.holding.is_set():
            time.sleep(0.05)
        time.sleep(self.delay)
        return Response("ok")(environ, start_response)

    def ids(self) -> list[str]:
        with self.lock:
            return [delivery for delivery, _signature, _body in self.received]


def _deliveries_to(url: str, count: int) -> list[int]:
    from campus.models import Webhook, WebhookDelivery, utcnow

    hook = Webhook(url=url, secret="s3cret")
    now = utcnow()
    rows = [
        WebhookDelivery(
            webhook=hook,
            event="ticket.escalated",
            payload=json.dumps({"event": "ticket.escalated", "n": n}),
            next_attempt_at=now,
            created_at=now,
        )
        for n in range(count)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def _sender(database_url: str, lease: int) -> subprocess.Popen:
    """`flask campus deliver-webhooks` as cron runs it: a process of its own."""
    env = {
        **os.environ,
        "CAMPUS_ENV": "development",
        "CAMPUS_DATABASE_URL": database_url,
        "CAMPUS_WEBHOOK_LEASE_SECONDS": str(lease),
        "CAMPUS_WEBHOOK_ALLOWED_NETWORKS": '["127.0.0.0/8"]',  # the test's receiver
        "CAMPUS_LOG_LEVEL": "WARNING",
        "FLASK_APP": "wsgi",
    }
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("flask")), "campus", "deliver-webhooks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _send(database_url: str, lease: int) -> str:
    process = _sender(database_url, lease)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    return output


def _delivery_states() -> dict[int, tuple[str, int]]:
    from campus.models import WebhookDelivery

    db.session.rollback()  # a read begun earlier would see the database as it was then
    rows = db.session.execute(
        select(WebhookDelivery.id, WebhookDelivery.status, WebhookDelivery.attempts)
    ).all()
    db.session.rollback()
    return {row.id: (row.status, row.attempts) for row in rows}


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_database(request, tmp_path):
    """A database that the test and the sender processes both see."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'deliveries.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path)})
        with app.app_context():
            db.create_all()
            yield url
            db.session.remove()
            db.engine.dispose()
        return
    app = request.getfixturevalue("app")
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: run with make test-postgres")
    yield app.config["SQLALCHEMY_DATABASE_URI"]


def test_a_sender_killed_mid_delivery_is_followed_by_one_that_sends_it_once(shared_database):
    receiver = HoldingReceiver()
    receiver.holding.set()
    [delivery] = _deliveries_to(receiver.url, 1)
    lease = 8  # longer than a sender process takes to start on a busy machine
    dying = _sender(shared_database, lease)
    assert receiver.arrived.wait(30), "the sender never sent"
    dying.kill()  # in the middle of the attempt: sent, no answer yet, nothing recorded
    dying.communicate(timeout=10)
    receiver.holding.clear()
    assert _delivery_states() == {delivery: ("pending", 1)}

    # While the dead sender's lease runs, the next run leaves the delivery alone.
    assert "Delivered 0" in _send(shared_database, lease)
    assert receiver.ids() == [str(delivery)]

    time.sleep(lease + 0.5)  # the lease runs out: the job runs again
    assert "Delivered 1" in _send(shared_database, lease)
    assert _delivery_states() == {delivery: ("delivered", 2)}
    # The repeat is the same message under the same delivery id, so the receiver can
    # recognise it; the first one was never answered.
    first, again = receiver.received
    assert first == again

    # Delivered is final: later runs never send it again.
    assert "Delivered 0" in _send(shared_database, lease)
    assert len(receiver.received) == 2
    receiver.server.shutdown()


def test_senders_running_at_once_send_each_delivery_once(shared_database):
    receiver = HoldingReceiver(delay=0.05)
    deliveries = _deliveries_to(receiver.url, 30)
    senders = [_sender(shared_database, 60) for _ in range(3)]
    outputs = [process.communicate(timeout=120)[0] for process in senders]
    assert all(process.returncode == 0 for process in senders), outputs
    assert sorted(receiver.ids(), key=int) == [str(d) for d in deliveries]  # each once
    assert set(_delivery_states().values()) == {("delivered", 1)}
    receiver.server.shutdown()


def test_a_connection_lost_before_the_rollback_at_the_end_of_a_request_is_no_error(tmp_path):
    """The database drops a request's connection after the page was written (a restart
    between two statements): closing the session cannot roll back, and the request still
    gets its answer instead of the server's bare 500 page."""
    url = os.environ.get("CAMPUS_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: run with make test-postgres")
    from sqlalchemy import create_engine, text

    live = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path)})
    killer = create_engine(url)

    def reads_then_loses_its_connection():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "gelesen"

    live.add_url_rule("/_lost", view_func=reads_then_loses_its_connection)
    client = live.test_client()
    response = client.get("/_lost")
    assert response.status_code == 200
    assert response.text == "gelesen"
    # and the next request gets a working connection again
    with live.app_context():
        assert db.session.execute(text("SELECT 1")).scalar_one() == 1
        db.session.remove()
        db.engine.dispose()
    killer.dispose()
