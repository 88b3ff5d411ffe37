"""Failed logins lock an account, and more generously a client address, for a while.

Only failures count: LOGIN_MAX_FAILURES per account, five times as many per address,
within LOGIN_WINDOW_SECONDS (a fixed window from the first failure). A successful login
clears its account's count, not the address's. The counters live in Flask-Limiter's
storage (`campus.extensions.limiter`): in memory, or in Redis with CAMPUS_REDIS_URL, so
that every app server sees the same counts.

The limits strategy is used directly rather than through a `@limiter.limit` decorator:
a decorator can only refuse before the view runs, with its own 429 page, and cannot
clear one account's count after a successful login.
"""

import math
import time

from flask import current_app
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from campus.extensions import limiter
from campus.models import normalize_email

ADDRESS_FACTOR = 5  # an address may fail this many times as often as one account


def _account(email: str) -> tuple[RateLimitItem, tuple[str, ...]]:
    tries, window = _settings()
    return RateLimitItemPerSecond(tries, window), ("campus-login", normalize_email(email))


def _address(address: str | None) -> tuple[RateLimitItem, tuple[str, ...]]:
    tries, window = _settings()
    item = RateLimitItemPerSecond(tries * ADDRESS_FACTOR, window)
    return item, ("campus-login-address", address or "unknown")


def _settings() -> tuple[int, int]:
    config = current_app.config
    return int(config["LOGIN_MAX_FAILURES"]), int(config["LOGIN_WINDOW_SECONDS"])


def _counters(email: str, address: str | None) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    return [_account(email), _address(address)]


def locked_for(email: str, address: str | None) -> int:
    """Seconds until this account may try again from this address (0: it may now)."""
    if not limiter.enabled:  # RATELIMIT_ENABLED=False switches every rate limit off
        return 0

    def wait_with(strategy) -> float:
        wait = 0.0
        for item, keys in _counters(email, address):
            if not strategy.test(item, *keys):
                reset_at, _remaining = strategy.get_window_stats(item, *keys)
                wait = max(wait, reset_at - time.time(), 1)
        return wait

    return math.ceil(_guarded(wait_with))


def record_failure(email: str, address: str | None) -> None:
    """Count one failed login for the account and for the address."""
    if not limiter.enabled:
        return

    def hit(strategy) -> None:
        for item, keys in _counters(email, address):
            strategy.hit(item, *keys)

    _guarded(hit)


def clear(email: str) -> None:
    """A successful login: the account starts counting afresh (the address does not)."""
    if not limiter.enabled:
        return
    item, keys = _account(email)
    _guarded(lambda strategy: strategy.clear(item, *keys))


# --- when the shared storage (Redis) is away ------------------------------------------------

RETRY_STORAGE_AFTER = 30  # seconds: how long to count in memory before asking Redis again


def _guarded(use):
    """`use(strategy)` with the shared storage; if that fails (Redis stopped, unreachable),
    with counters in this process's memory for a while. Logins keep working, and the
    limits stay on: each app server counts on its own until Redis is back."""
    fallback = current_app.extensions.setdefault(
        "campus_login_fallback", {"strategy": None, "until": 0.0}
    )
    if time.monotonic() >= fallback["until"]:
        try:
            return use(limiter.limiter)
        except Exception as error:  # any storage failure: count in memory
            current_app.logger.warning(
                "login limits: storage unreachable (%s); counting in memory for %s s",
                type(error).__name__,
                RETRY_STORAGE_AFTER,
            )
            fallback["until"] = time.monotonic() + RETRY_STORAGE_AFTER
    if fallback["strategy"] is None:
        fallback["strategy"] = FixedWindowRateLimiter(MemoryStorage())
    return use(fallback["strategy"])
