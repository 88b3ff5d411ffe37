"""Logins as server-side records: a session cookie names its login, and logging out ends
that login for good (a copied cookie or remember-me cookie no longer works).

The cookie's id is "<user id>.<session version>.<token>": the session version ends every
login of a user at once (password changed or reset, deactivated); the token ends one.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, select, update

from campus.extensions import db
from campus.models import LoginSession, User, utcnow

FORGET_AFTER = timedelta(days=30)  # logins older than this end (close-stale, daily)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def begin_session(user: User) -> None:
    """A new login for `user` in this browser (before flask_login.login_user)."""
    token = secrets.token_urlsafe(24)
    db.session.add(LoginSession(user_id=user.id, token_hash=_digest(token)))
    db.session.flush()
    user.login_token = token


def end_session(user: User) -> None:
    """Logging out: this browser's login ends for good."""
    if user.login_token:
        db.session.execute(
            update(LoginSession)
            .where(
                LoginSession.token_hash == _digest(user.login_token),
                LoginSession.ended_at.is_(None),
            )
            .values(ended_at=utcnow())
        )
    user.login_token = ""


def load_user_from_session_id(session_id: str) -> User | None:
    """Flask-Login's loader: the active user whose login this is, if it has not ended
    and the session version is current; one query."""
    user_id, version, token = [*session_id.split("."), "", ""][:3]
    if not user_id.isdigit() or not version.isdigit() or not token:
        return None
    user = db.session.scalar(
        select(User)
        .join(
            LoginSession,
            and_(
                LoginSession.user_id == User.id,
                LoginSession.token_hash == _digest(token),
                LoginSession.ended_at.is_(None),
            ),
        )
        .where(User.id == int(user_id))
    )
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    user.login_token = token
    return user


def forget_old_sessions(now: datetime | None = None) -> int:
    """Delete logins that ended, or began more than FORGET_AFTER ago."""
    now = now or utcnow()
    result = db.session.execute(
        delete(LoginSession).where(
            (LoginSession.ended_at.is_not(None)) | (LoginSession.created_at < now - FORGET_AFTER)
        )
    )
    return result.rowcount
