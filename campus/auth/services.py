"""Authentication rules: check credentials, change passwords, restore sessions."""

from functools import cache

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from campus.auth.tokens import revoke_all_tokens
from campus.exceptions import InvalidInput
from campus.extensions import db
from campus.models import User, normalize_email, utcnow

MIN_PASSWORD_LENGTH = 10


@cache
def _dummy_hash() -> str:
    """Checked against when the email is unknown, so a failed login costs the same
    time whether or not the account exists (made on first use, not at start-up)."""
    return generate_password_hash("campus-no-such-user")


class OutsideAccessPeriod(Exception):
    """The right password of an account with an access period (an intern's) on a day
    outside it: she may be told when it begins or ended, as she knows the password."""

    def __init__(self, user: User):
        super().__init__(user.id)
        self.starts_on, self.ends_on = user.access_from, user.access_until


def check_credentials(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (never says which part was wrong;
    OutsideAccessPeriod: the right password on a day outside the account's access period).
    Only reads: the slow password hash is checked outside any write lock."""
    user = db.session.scalar(db.select(User).where(User.email == normalize_email(email)))
    if user is None or user.password_hash.startswith("!"):
        # Unknown, or invited and no password set yet: the same slow check, the same time.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password):
        return None
    if not user.is_active:
        if user.active and (user.access_from or user.access_until):
            raise OutsideAccessPeriod(user)
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """Check the credentials and record the login (for the command line and tests)."""
    user = check_credentials(email, password)
    if user is not None:
        record_login(user)
    return user


def check_new_password(password: str, email: str = "", field: str = "new_password") -> None:
    """Refuse passwords that are too short or just the email address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _l("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH),
            field=field,
        )
    if email and password.strip().lower() == normalize_email(email):
        raise InvalidInput(_l("The password must not be the email address."), field)


def change_password(
    user: User, current_password: str, new_password: str, revoke_tokens: bool = False
) -> None:
    """Set a new password after checking the current one; ends the user's other sessions
    and, if asked, revokes their API tokens."""
    if not user.check_password(current_password):
        raise InvalidInput(_l("The current password is not correct."), field="current_password")
    check_new_password(new_password, user.email)
    user.set_password(new_password)
    user.session_version += 1
    if revoke_tokens:
        revoke_all_tokens(user)
    db.session.flush()


def set_locale(user: User, locale: str | None) -> None:
    """Remember the user's interface language."""
    user.locale = locale
    db.session.flush()
