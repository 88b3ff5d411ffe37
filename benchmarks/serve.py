"""Load each page through gunicorn, as browsers would: `gunicorn -w 2` with production
settings on a generated database, real logins through the form (CSRF included), then
wrk (C, keep-alive, 8 connections) per page, or Python threads where wrk is missing.

    python benchmarks/serve.py --url sqlite:////tmp/campus-bench/city-100000.sqlite3

Prints requests per second, median and 95th percentile latency and errors per page,
and the workers' peak memory; --json writes them.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from pages import DOMAIN, PASSWORD  # noqa: E402

# (name, user, method, path): the path may name {ticket}; POSTs carry a fresh form.
OPS = [
    ("queue_manager", "manager-1", "GET", "/tickets/"),
    ("queue_system_house", "systemhaus-1", "GET", "/tickets/"),
    ("queue_admin_all", "admin", "GET", "/tickets/?sort=newest"),
    ("mine_teacher", "lehrkraft-1-1", "GET", "/tickets/mine"),
    ("ticket_page", "manager-1", "GET", "/tickets/{ticket}"),
    ("start_admin", "admin", "GET", "/admin/"),
    ("file_ticket", "lehrkraft-1-1", "POST", "/tickets/new"),
    ("reports_manager", "manager-1", "GET", "/reports/"),
    ("reports_admin", "admin", "GET", "/reports/"),
]
FORM = {
    "category": "projector_display",
    "impact": "impaired",
    "room": "Raum 3",
    "title": "Beamer zeigt kein Bild",
    "description": "Seit der ersten Stunde.",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


IDLE_SECONDS = 3  # gunicorn keeps an idle connection open for 5 s (config/gunicorn.conf.py)


class Browser:
    """A cookie jar on one keep-alive connection."""

    def __init__(self, port: int):
        self.port, self.cookies, self.location, self.used = port, {}, "", time.monotonic()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None):
        if time.monotonic() - self.used > IDLE_SECONDS:
            self.reconnect()  # the server has closed the idle connection by now, as browsers know
        headers = {"Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            response = self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed the kept-alive connection before answering (it never read
            # the request): a browser sends it again on a new connection, and so do we.
            self.reconnect()
            response = self._send(method, path, body, headers)
        text = response.read().decode("utf-8", "replace")
        self.used = time.monotonic()
        self.location = response.getheader("Location", "")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, text

    def _send(self, method, path, body, headers):
        self.connection.request(method, path, body=body, headers=headers)
        return self.connection.getresponse()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def csrf(self, path: str) -> str:
        _status, html = self.request("GET", path)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    def login(self, email: str) -> None:
        token = self.csrf("/auth/login")
        status, _ = self.request(
            "POST", "/auth/login", {"csrf_token": token, "email": email, "password": PASSWORD}
        )
        assert status in (302, 303), f"login as {email} failed: {status}"


def start(url: str, port: int, workers: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        CAMPUS_ENV="production",
        CAMPUS_DATABASE_URL=url,
        CAMPUS_SECRET_KEY="bench-" + "x" * 40,
        CAMPUS_LOG_LEVEL="WARNING",
        CAMPUS_RATELIMIT_ENABLED="false",
        CAMPUS_WEBHOOK_DELIVERY="off",
        CAMPUS_JOBS="off",  # mails are written to the outbox (measured), not sent
        CAMPUS_BASE_URL="http://127.0.0.1",
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def peak_memory_kib(server: subprocess.Popen) -> int:
    """The largest peak resident size among the workers (VmHWM)."""
    peaks = []
    for child in Path("/proc").glob("[0-9]*"):
        try:
            status = (child / "status").read_text()
        except OSError:
            continue
        if f"PPid:\t{server.pid}\n" in status:
            peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)))
    return max(peaks, default=0)


def run_wrk(port: int, browser: Browser, method: str, path: str, form, duration, connections):
    headers = {"Cookie": browser.cookie_header()}
    body = "nil"
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = json.dumps(urlencode(form))
    script = "\n".join(
        [
            f"wrk.method = {json.dumps(method)}",
            *[f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()],
            f"wrk.body = {body}",
            "done = function(summary, latency, requests)",
            '  io.write(string.format("RESULT %d %d %d %d %f %f %f\\n", summary.requests,',
            "    summary.duration, summary.errors.status, summary.errors.connect",
            "    + summary.errors.read + summary.errors.write + summary.errors.timeout,",
            "    latency:percentile(50), latency:percentile(95), latency:percentile(99)))",
            "end",
        ]
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(min(2, connections)),
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--timeout",
                "30s",
                "-s",
                handle.name,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    found = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    requests, micros, bad, broken = (int(found.group(i)) for i in range(1, 5))
    return {
        "requests": requests,
        "req_per_s": round(requests / (micros / 1e6), 1),
        "median_ms": round(float(found.group(5)) / 1000, 1),
        "p95_ms": round(float(found.group(6)) / 1000, 1),
        "p99_ms": round(float(found.group(7)) / 1000, 1),
        "errors": bad + broken,
    }


def run_threads(port: int, browser: Browser, method: str, path: str, form, duration, connections):
    times, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + duration

    def worker():
        mine = Browser(port)
        mine.cookies = dict(browser.cookies)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, _ = mine.request(method, path, form)
            except OSError:
                status = 0
            with lock:
                times.append((time.perf_counter() - started) * 1000)
                errors[0] += status >= 400 or status == 0

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times.sort()
    return {
        "requests": len(times),
        "req_per_s": round(len(times) / duration, 1),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95)], 1),
        "p99_ms": round(times[int(len(times) * 0.99)], 1),
        "errors": errors[0],
    }


def measure(url: str, duration: int, connections: int, ticket: int, only=None) -> dict:
    port = free_port()
    server = start(url, port, workers=2)
    results = {}
    try:
        browsers = {}
        for name, user, method, path in OPS:
            if only and name not in only:
                continue
            if user not in browsers:
                browsers[user] = Browser(port)
                browsers[user].login(f"{user}@{DOMAIN}")
            browser = browsers[user]
            path = path.format(ticket=ticket)
            form = None
            if method == "POST":
                form = {**FORM, "csrf_token": browser.csrf(path)}
            status, _ = browser.request(method, path, form)
            assert status in (200, 302, 303), (name, status)
            load = run_wrk if shutil.which("wrk") else run_threads
            results[name] = load(port, browser, method, path, form, duration, connections)
            print(f"  {name:<22} {results[name]['req_per_s']:>8.1f} req/s", file=sys.stderr)
        results["_peak_worker_kib"] = peak_memory_kib(server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--ticket", type=int, required=True, help="a ticket of manager-1's campus")
    parser.add_argument("--only", help="comma-separated page names")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    figures = measure(args.url, args.duration, args.connections, args.ticket, only)
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
