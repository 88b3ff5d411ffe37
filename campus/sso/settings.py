"""The sign-in settings: may everyone sign in with a password, or only administrators
(everyone else then signs in with the school account)? Changed by administrators only,
each change in the audit trail."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from campus.audit import audit
from campus.exceptions import NotAllowed
from campus.extensions import db
from campus.models import AuditAction, SignInSettings, User, utcnow
from campus.permissions import administrators, can_administer, is_admin, is_intern
from campus.sso.providers import providers

ADMINS_ONLY = _l("Only administrators may change how people sign in.")

SETTINGS_ID = 1


def sign_in_settings() -> SignInSettings:
    """The saved settings, or (not added to the session) the defaults."""
    saved = db.session.get(SignInSettings, SETTINGS_ID)
    if saved is not None:
        return saved
    return SignInSettings(id=SETTINGS_ID, password_for_all=True, last_sync_summary="")


def stored_settings() -> SignInSettings:
    settings = sign_in_settings()
    if settings not in db.session:
        db.session.add(settings)
    return settings


def passwords_for_all() -> bool:
    """Passwords work for everyone: the setting says so, or no provider is configured
    (switching them off without one would lock everyone but administrators out)."""
    return not providers() or sign_in_settings().password_for_all


def password_allowed(user: User) -> bool:
    """Administrators always; interns too (pupils have no account at the board's
    provider); everyone else while passwords are for all."""
    return is_admin(user) or is_intern(user) or passwords_for_all()


def set_passwords_for_all(actor: User, on: bool) -> None:
    if not can_administer(actor):
        raise NotAllowed(ADMINS_ONLY)
    settings = stored_settings()
    if settings.password_for_all == on:
        return
    settings.password_for_all = on
    settings.changed_by_id = actor.id
    settings.changed_at = utcnow()
    if not on:  # logins made with a password end; everyone else signs in anew
        db.session.execute(
            update(User)
            .where(User.id.not_in(administrators(select(User.id))))
            .values(session_version=User.session_version + 1)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    audit(
        AuditAction.SIGN_IN_CHANGED,
        actor=actor,
        detail="passwords for everyone" if on else "passwords for administrators only",
    )
