"""Who is asking: a personal token on every API request, and a per-user request limit.

Only `Authorization: Bearer <token>` authenticates the API; cookies never do. Each
authenticated request counts against API_REQUESTS_PER_MINUTE for its user (not its IP
address) in the shared Flask-Limiter (in Redis with CAMPUS_REDIS_URL); over the limit
the answer is 429 with Retry-After (errors.py).
"""

from flask import current_app, g, request
from flask_babel import gettext as _
from werkzeug.exceptions import Unauthorized

from campus.api import bp
from campus.auth.tokens import record_use, token_for, use_is_recorded
from campus.extensions import limiter
from campus.models import User, utcnow
from campus.unit_of_work import work


def api_user() -> User:
    """The user of the current API request."""
    return g.api_user


def _per_minute() -> str:
    return f"{current_app.config['API_REQUESTS_PER_MINUTE']} per minute"


def _user_key() -> str:
    return f"api-user:{g.api_user.id}"


@limiter.shared_limit(_per_minute, scope="api", key_func=_user_key)
def _count_request() -> None:
    """One request of the user's budget; raises RateLimitExceeded (429) past it."""


PUBLIC = frozenset({"api.openapi"})  # the document needs no token


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC or request.method == "OPTIONS":
        return  # Flask answers OPTIONS itself (the Allow header), as it always did
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    record = token_for(token.strip()) if scheme.lower() == "bearer" else None
    if record is None:
        raise Unauthorized(_("A valid API token is needed (Authorization: Bearer …)."))
    now = utcnow()
    if not use_is_recorded(record, now):
        with work():
            record_use(record, now)
    g.api_user = record.user
    _count_request()
