"""Personal API tokens: made, listed, revoked, and checked on each API request."""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus.audit import audit, person
from campus.exceptions import InvalidInput, NotAllowed
from campus.extensions import db
from campus.models import ApiToken, AuditAction, User, utcnow
from campus.permissions import can_administer

PREFIX = "cmp_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the record and the token (shown this once only)."""
    if actor.id != user.id and not can_administer(actor):
        raise NotAllowed(_l("You can only make tokens for yourself."))
    name = (name or "").strip()
    if not name:
        raise InvalidInput(
            _l("Please give the token a name, e.g. the script that uses it."), "name"
        )
    if len(name) > 80:
        raise InvalidInput(_l("Please keep the name under 80 characters."), "name")
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user=user, name=name, token_hash=_digest(token), prefix=token[:12])
    db.session.add(record)
    db.session.flush()
    audit(AuditAction.TOKEN_CREATED, actor=actor, subject=_named(record, user))
    return record, token


def revoke_token(actor: User, record: ApiToken) -> None:
    if actor.id != record.user_id and not can_administer(actor):
        raise NotAllowed(_l("You can only revoke your own tokens."))
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        db.session.flush()
        audit(AuditAction.TOKEN_REVOKED, actor=actor, subject=_named(record, record.user))


def _named(record: ApiToken, user: User) -> str:
    return f"{record.prefix}… “{record.name}” of {person(user)}"


def revoke_all_tokens(user: User) -> int:
    """Revoke every token of `user` that is still valid (a changed or reset password)."""
    now = utcnow()
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for record in tokens:
        record.revoked_at = now
    db.session.flush()
    return len(tokens)


def token_for(token: str) -> ApiToken | None:
    """The valid, unrevoked token record of an active user; None otherwise."""
    if not token.startswith(PREFIX):
        return None
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if record is None or record.revoked_at is not None or not record.user.is_active:
        return None
    return record


# When a token was last used, to the minute: most requests need no write at all.
USE_RESOLUTION = timedelta(minutes=1)


def use_is_recorded(record: ApiToken, now: datetime) -> bool:
    return record.last_used_at is not None and now - record.last_used_at < USE_RESOLUTION


def record_use(record: ApiToken, now: datetime) -> None:
    """Note that the token was used (shown on the profile page), at most once a minute."""
    if not use_is_recorded(record, now):
        record.last_used_at = now
        db.session.flush()


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )
