"""Work that runs outside a request: a job queue on Redis (RQ), or in-process without it.

A job is a named function (`@job("mail.send")`) whose arguments are plain values (ids),
never objects: it runs later, in another process, in a unit of work of its own. An
after-commit handler asks for it with `enqueue(name, *args)`; what the job owes is
already saved in an outbox row (a mail, a webhook delivery), so a job that is lost (a
worker killed, Redis restarted) only delays the work: the periodic sweeps find the row.

Where a job runs (JOBS):
- "redis": on the RQ queue in Redis (REDIS_URL); `flask campus worker` takes it. Several
  app servers and workers share one Redis; each job is taken by one worker.
- "thread": in a background thread of the process that asked (no Redis: development).
- "inline": at once, in the caller's thread (tests: deterministic).
- "off": not at once; only the worker's periodic sweeps do the work.
Default: "redis" when REDIS_URL is set, otherwise "thread".

Periodic jobs (PERIODIC) are started by `flask campus worker`: each worker looks every few
seconds which are due, and takes a Redis key for the interval (SET NX EX) before it
enqueues one, so that with several workers each runs once per interval. Without Redis the
worker runs them itself.
"""

import logging
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)

JOBS: dict[str, Callable[..., object]] = {}
QUEUE_NAME = "campus"


def job(name: str) -> Callable[[Callable], Callable]:
    """Register a function as the job `name` (its arguments: plain, JSON-able values)."""

    def register(function: Callable) -> Callable:
        JOBS[name] = function
        return function

    return register


@dataclass(frozen=True)
class Periodic:
    name: str  # a registered job, run without arguments
    every: timedelta


# What the worker runs by itself (every job below is idempotent: a run twice does no harm).
PERIODIC = (
    Periodic("mail.send_due", timedelta(minutes=1)),
    Periodic("mail.digests", timedelta(minutes=1)),
    Periodic("webhooks.deliver_due", timedelta(minutes=1)),
    Periodic("tickets.housekeeping", timedelta(hours=1)),
    Periodic("timetable.refresh", timedelta(hours=6)),
    Periodic("privacy.retention", timedelta(days=1)),
    Periodic("sso.sync", timedelta(days=1)),
)


def mode(app: Flask | None = None) -> str:
    config = (app or current_app).config
    chosen = config.get("JOBS")
    if chosen:
        return chosen
    return "redis" if config.get("REDIS_URL") else "thread"


def _load_jobs() -> None:
    """Import the modules that register jobs (they register on import)."""
    from campus import tasks  # noqa: F401


def run(name: str, *args, fresh: bool = True) -> object:
    """Run one job in the current app context (a job of the queue, the worker's sweeps and
    the in-process modes all come through here); `fresh`: in a session of its own, ended
    afterwards (not so inline, where the job shares the session of the request that
    asked for it, after that request's unit of work has committed)."""
    from campus.extensions import db

    _load_jobs()
    function = JOBS[name]
    try:
        return function(*args)
    finally:
        if fresh:
            db.session.remove()


def run_queued(name: str, args: list) -> object:
    """The function RQ calls (by its dotted name) in the worker, with the app context the
    worker pushed; a bare `rq worker` without it gets an app of its own."""
    if has_app_context():
        return run(name, *args)
    from campus import create_app

    with create_app(default_env="production").app_context():
        return run(name, *args)


def enqueue(name: str, *args) -> None:
    """Have job `name` run soon (see the module's docstring for where). Called after a
    commit; a failure to enqueue is logged and leaves the work to the sweeps."""
    _load_jobs()
    if name not in JOBS:
        raise KeyError(f"unknown job {name!r}")
    chosen = mode()
    if chosen == "off":
        return
    if chosen == "inline":
        _run_logged(name, args, fresh=False)
        return
    if chosen == "redis":
        try:
            queue().enqueue(
                run_queued,
                name,
                list(args),
                job_timeout=current_app.config.get("JOB_TIMEOUT_SECONDS", 600),
                result_ttl=0,
                failure_ttl=7 * 24 * 3600,
            )
        except Exception:  # Redis away: the outbox row waits for the sweep
            log.warning("could not enqueue job %s; the periodic sweep will do it", name)
        return
    app = current_app._get_current_object()

    def in_background():
        with app.app_context():
            _run_logged(name, args)

    threading.Thread(target=in_background, name=f"job {name}", daemon=True).start()


def enqueue_in(delay: timedelta, name: str, *args) -> None:
    """Run job `name` again after `delay` (a retry with backoff): on Redis with RQ's
    scheduler; in-process the periodic sweep picks the work up when it is due."""
    if mode() != "redis":
        return
    try:
        queue().enqueue_in(
            delay, run_queued, name, list(args), result_ttl=0, failure_ttl=7 * 24 * 3600
        )
    except Exception:
        log.warning("could not schedule job %s; the periodic sweep will do it", name)


def _run_logged(name: str, args, fresh: bool = True) -> None:
    try:
        run(name, *args, fresh=fresh)
    except Exception:
        current_app.logger.exception("job %s%r failed", name, tuple(args))
        if not fresh:  # inline: the request goes on in this session; leave it clean
            from campus.extensions import db

            with suppress(Exception):
                db.session.rollback()


# --- Redis ------------------------------------------------------------------------------


def redis_connection(app: Flask | None = None):
    from redis import Redis

    config = (app or current_app).config
    url = config.get("JOB_QUEUE_URL") or config.get("REDIS_URL")
    if not url:
        raise RuntimeError("JOBS=redis needs CAMPUS_REDIS_URL (or CAMPUS_JOB_QUEUE_URL).")
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def queue(app: Flask | None = None):
    from rq import Queue

    config = (app or current_app).config
    extensions = (app or current_app).extensions
    found = extensions.get("campus_queue")
    if found is None:
        found = extensions["campus_queue"] = Queue(
            config.get("JOB_QUEUE_NAME", QUEUE_NAME), connection=redis_connection(app)
        )
    return found


# --- the worker -------------------------------------------------------------------------


class Ticker:
    """Starts the periodic jobs when they are due; with Redis, one worker per interval."""

    def __init__(self, app: Flask, periodic=PERIODIC) -> None:
        self.app = app
        self.periodic = periodic
        self.next_at: dict[str, float] = {}

    def due(self, now: float) -> list[Periodic]:
        return [p for p in self.periodic if self.next_at.get(p.name, 0.0) <= now]

    def tick(self, now: float | None = None) -> list[str]:
        """Start what is due; returns the names started (here or on the queue)."""
        now = time.time() if now is None else now
        started = []
        for periodic in self.due(now):
            seconds = int(periodic.every.total_seconds())
            self.next_at[periodic.name] = now + seconds
            with self.app.app_context():
                if mode() == "redis":
                    key = f"{self.app.config.get('JOB_QUEUE_NAME', QUEUE_NAME)}:periodic:"
                    try:
                        if not redis_connection().set(key + periodic.name, 1, nx=True, ex=seconds):
                            continue  # another worker has it for this interval
                        queue().enqueue(run_queued, periodic.name, [], result_ttl=0)
                    except Exception:
                        log.warning("Redis away: running %s here", periodic.name)
                        _run_logged(periodic.name, ())
                else:
                    _run_logged(periodic.name, ())
            started.append(periodic.name)
        return started


def work_forever(app: Flask, burst: bool = False, poll_seconds: float = 5.0) -> None:
    """`flask campus worker`: take jobs from Redis (with RQ's scheduler for retries) and
    start the periodic ones; without Redis, run the periodic ones in this process.
    With `burst`, do what is due and queued now, then return."""
    ticker = Ticker(app)
    if mode(app) != "redis":
        while True:
            ticker.tick()
            if burst:
                return
            time.sleep(poll_seconds)

    from rq import SimpleWorker

    # SimpleWorker runs each job in this process (no fork): the app, its configuration
    # and its connection pool are made once; each job ends its session (`run`).
    worker = SimpleWorker([queue(app)], connection=redis_connection(app))
    ticker.tick()
    if burst:
        with app.app_context():
            worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
        return
    stop = threading.Event()

    def keep_ticking():
        while not stop.wait(poll_seconds):
            try:
                ticker.tick()
            except Exception:
                log.exception("starting the periodic jobs failed")

    threading.Thread(target=keep_ticking, name="campus ticker", daemon=True).start()
    try:
        with app.app_context():
            worker.work(with_scheduler=True, logging_level="INFO")
    finally:
        stop.set()
