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
    wait = 0.0
    for item, keys in _counters(email, address):
        if not limiter.limiter.test(item, *keys):
            reset_at, _remaining = limiter.limiter.get_window_stats(item, *keys)
            wait = max(wait, reset_at - time.time(), 1)
    return math.ceil(wait)


def record_failure(email: str, address: str | None) -> None:
    """Count one failed login for the account and for the address."""
    if not limiter.enabled:
        return
    for item, keys in _counters(email, address):
        limiter.limiter.hit(item, *keys)


def clear(email: str) -> None:
    """A successful login: the account starts counting afresh (the address does not)."""
    if not limiter.enabled:
        return
    item, keys = _account(email)
    limiter.limiter.clear(item, *keys)
