"""Failed logins slow down whoever fails, never everyone.

Three counts of failures, each with waits that grow as failures go on (tiers: up to
LOGIN_MAX_FAILURES x f failures per LOGIN_WINDOW_SECONDS x w, for (f, w) in TIERS; the
longest window still full decides the wait):
- one account from one client address (`pair`): a person who mistypes, or someone
  guessing one account's password;
- one address, every account (`address`, ADDRESS_FACTOR times as many): someone trying
  many accounts, or invented ones;
- one account, every address (`account`, ACCOUNT_FACTOR times as many): a guesser spread
  over many addresses. Anyone could trip this count for anyone, so a browser that has
  logged into the account before (a signed "known browser" cookie, OWASP's device
  cookie) is not held by it: the owner still gets in while the account is attacked.
A successful login clears its pair's count (the address's and the account's stay).

Behind a reverse proxy the client address is the proxy's unless the proxy is trusted
(CAMPUS_TRUSTED_PROXIES, werkzeug's ProxyFix in campus/__init__.py).

The counters live in Flask-Limiter's storage (`campus.extensions.limiter`): in memory, or
in Redis with CAMPUS_REDIS_URL, so that every app server sees the same counts. The limits
strategy is used directly rather than through a `@limiter.limit` decorator: a decorator
can only refuse before the view runs, with its own 429 page, and cannot clear one count
after a successful login.
"""

import hashlib
import math
import time

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from campus.extensions import limiter
from campus.models import normalize_email

ADDRESS_FACTOR = 5  # an address may fail this many times as often as one account there
ACCOUNT_FACTOR = 5  # an account, from all addresses together, as often
TIERS = ((1, 1), (2, 4), (4, 16))  # (failures x, window x): the waits grow
KNOWN_COOKIE = "campus_known"
KNOWN_DAYS = 180
KNOWN_MAX = 5  # accounts a browser is remembered for (a shared school tablet)

Counter = tuple[RateLimitItem, tuple[str, ...]]


def _tiers(factor: int, *keys: str) -> list[Counter]:
    config = current_app.config
    tries, window = int(config["LOGIN_MAX_FAILURES"]), int(config["LOGIN_WINDOW_SECONDS"])
    return [
        (RateLimitItemPerSecond(tries * factor * more, window * longer), (*keys, str(longer)))
        for more, longer in TIERS
    ]


def _pair(email: str, address: str | None) -> list[Counter]:
    return _tiers(1, "campus-login", normalize_email(email), address or "unknown")


def _address(address: str | None) -> list[Counter]:
    return _tiers(ADDRESS_FACTOR, "campus-login-address", address or "unknown")


def _account(email: str) -> list[Counter]:
    return _tiers(ACCOUNT_FACTOR, "campus-login-account", normalize_email(email))


def locked_for(email: str, address: str | None, known_browser: bool = False) -> int:
    """Seconds until this account may try again from this address (0: it may now)."""
    if not limiter.enabled:  # RATELIMIT_ENABLED=False switches every rate limit off
        return 0
    counters = _pair(email, address) + _address(address)
    if not known_browser:
        counters += _account(email)

    def wait_with(strategy) -> float:
        wait = 0.0
        for item, keys in counters:
            if not strategy.test(item, *keys):
                reset_at, _remaining = strategy.get_window_stats(item, *keys)
                wait = max(wait, reset_at - time.time(), 1)
        return wait

    return math.ceil(_guarded(wait_with))


def record_failure(email: str, address: str | None) -> None:
    """Count one failed login for the pair, the address and the account."""
    if not limiter.enabled:
        return
    counters = _pair(email, address) + _address(address) + _account(email)

    def hit(strategy) -> None:
        for item, keys in counters:
            strategy.hit(item, *keys)

    _guarded(hit)


def clear(email: str, address: str | None) -> None:
    """A successful login: this account from this address starts counting afresh."""
    if not limiter.enabled:
        return
    counters = _pair(email, address)

    def forget(strategy) -> None:
        for item, keys in counters:
            strategy.clear(item, *keys)

    _guarded(forget)


# --- the browsers an account has logged in from --------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="campus-known-browser")


def _mark(email: str) -> str:
    """A short mark of the account (the cookie names no address in clear)."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:16]


def _known_marks() -> list[str]:
    raw = request.cookies.get(KNOWN_COOKIE)
    if not raw:
        return []
    try:
        marks = _serializer().loads(raw, max_age=KNOWN_DAYS * 24 * 3600)
    except BadSignature:
        return []
    return [m for m in marks if isinstance(m, str)] if isinstance(marks, list) else []


def known_browser(email: str) -> bool:
    """Whether this browser has logged into the account before (within KNOWN_DAYS)."""
    return _mark(email) in _known_marks()


def remember_browser(response, email: str) -> None:
    """After a successful login: this browser is known for the account from now on."""
    marks = [_mark(email)] + [m for m in _known_marks() if m != _mark(email)]
    response.set_cookie(
        KNOWN_COOKIE,
        _serializer().dumps(marks[:KNOWN_MAX]),
        max_age=KNOWN_DAYS * 24 * 3600,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )


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
