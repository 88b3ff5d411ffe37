"""Counting failures per key in a time window: in memory, or in Redis when configured
(CAMPUS_REDIS_URL), so that every app server sees the same counts."""

import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app


class MemoryCounter:
    """Per-process counters; enough for one app server."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, window: int) -> int:
        now = time.monotonic()
        with self._lock:
            count, until = self._counts.get(key, (0, 0.0))
            if until <= now:
                count, until = 0, now + window
            self._counts[key] = (count + 1, until)
            return count + 1

    def get(self, key: str) -> tuple[int, int]:
        """(count, seconds until the window ends)."""
        now = time.monotonic()
        with self._lock:
            count, until = self._counts.get(key, (0, 0.0))
        return (count, int(until - now) + 1) if until > now else (0, 0)

    def reset(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class RedisCounter:
    """Shared counters: INCR with an expiry, one key per subject."""

    def __init__(self, url: str):
        import redis  # only needed when configured

        self._redis = redis.Redis.from_url(url)

    def hit(self, key: str, window: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(f"campus:{key}")
        pipe.expire(f"campus:{key}", window, nx=True)
        return int(pipe.execute()[0])

    def get(self, key: str) -> tuple[int, int]:
        pipe = self._redis.pipeline()
        pipe.get(f"campus:{key}")
        pipe.ttl(f"campus:{key}")
        count, ttl = pipe.execute()
        return (int(count or 0), max(int(ttl), 0))

    def reset(self, key: str) -> None:
        self._redis.delete(f"campus:{key}")


def init_rate_limits(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["campus_counter"] = RedisCounter(url) if url else MemoryCounter()


@dataclass
class Limit:
    attempts: int
    window: int  # seconds


def _counter():
    return current_app.extensions["campus_counter"]


def locked_for(key: str, limit: Limit) -> int:
    """Seconds until `key` may try again (0: it may now)."""
    count, remaining = _counter().get(key)
    return remaining if count >= limit.attempts else 0


def record_failure(key: str, limit: Limit) -> None:
    """Count one event (a failed login, an API request) for `key` in the window."""
    _counter().hit(key, limit.window)


def clear(key: str) -> None:
    _counter().reset(key)
