"""Invitations and password resets: links by mail that set a password.

Both links are signed (campus/mail/links.py), expire (INVITATION_DAYS, PASSWORD_RESET_
MINUTES) and work once: they carry a fingerprint of the account's password hash, and
setting a password changes it. An invited account has no usable password until its
owner sets one. Asking for a reset says the same whether or not the address exists,
and sends at most one mail per account every few minutes.
"""

import secrets
from datetime import date, datetime, timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from campus.audit import audit, person
from campus.auth.services import check_new_password
from campus.auth.tokens import revoke_all_tokens
from campus.exceptions import Conflict, InvalidInput
from campus.extensions import db
from campus.formats import in_language
from campus.mail import links, sending
from campus.models import AuditAction, Mail, User, normalize_email, utcnow
from campus.models.user import BERLIN
from campus.sso.settings import password_allowed
from campus.urls import external_url

RESET_PAUSE = timedelta(minutes=2)  # one reset mail per account in this time at most


def _today() -> date:
    return datetime.now(BERLIN).date()


def unusable_password() -> str:
    """A password hash no password matches: the account waits for its invitation."""
    return "!" + secrets.token_hex(16)


def is_invited(user: User) -> bool:
    """Invited, and no password set yet."""
    return user.password_hash.startswith("!")


def account_fingerprint(user: User) -> str:
    """What a link is bound to: the password hash (a new password spends it) and the
    address (a link sent to the old address is spent when it changes)."""
    return links.fingerprint(f"{user.password_hash or ''}\n{user.email or ''}")


def invitation_link(user: User) -> str:
    token = links.sign(links.INVITATION, [user.id, account_fingerprint(user)])
    return external_url("auth.accept_invitation", token=token)


def send_invitation(actor: User, user: User, now: datetime | None = None) -> None:
    """Write the invitation mail (in the current unit of work)."""
    days = int(current_app.config.get("INVITATION_DAYS", 14))
    with in_language(user.locale):
        context = {
            "reader": user,
            "inviter": actor.display_name,
            "link": invitation_link(user),
            "days": days,
        }
        subject = _("Your access to Campus, the IT support of your school campus")
        text = render_template("mail/invitation.txt", **context)
        html = render_template("mail/invitation.html", **context)
    sending.write(
        kind="invitation", to=user.email, subject=subject, text=text, html=html,
        user_id=user.id, now=now,
    )  # fmt: skip
    audit(AuditAction.USER_INVITED, actor=actor, subject=person(user))


def send_invitation_again(actor: User, user: User) -> None:
    """The invitation once more (earlier links keep working until one of them is used);
    refused once the user has set a password or is deactivated. Who may ask is the
    caller's business."""
    name = user.display_name
    if not user.active:
        raise Conflict(_l("%(name)s is deactivated: no invitation was sent.", name=name))
    if not is_invited(user):
        raise Conflict(
            _l("%(name)s has already set a password: no invitation was sent.", name=name)
        )
    send_invitation(actor, user)


def request_reset(email: str, now: datetime | None = None) -> None:
    """Write a reset mail if an active account has this address and may sign in with a
    password; otherwise nothing. The caller answers the same either way."""
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.email == normalize_email(email or "")))
    recent = db.session.scalar(
        select(func.count(Mail.id)).where(
            Mail.user_id == (user.id if user is not None else 0),
            Mail.kind == "password_reset",
            Mail.created_at >= now - RESET_PAUSE,
        )
    )
    if user is None or not user.is_active or recent or not password_allowed(user):
        # Nobody (or one is on its way: no mail bombing through this form). The same
        # work as for a real mail, so that the time taken does not tell either.
        _reset_mail(User(email="nobody@campus.invalid", display_name="", password_hash=""))
        return
    subject, text, html = _reset_mail(user)
    sending.write(
        kind="password_reset", to=user.email, subject=subject, text=text, html=html,
        user_id=user.id, now=now,
    )  # fmt: skip


def _reset_mail(user: User) -> tuple[str, str, str]:
    minutes = int(current_app.config.get("PASSWORD_RESET_MINUTES", 60))
    token = links.sign(links.PASSWORD_RESET, [user.id or 0, account_fingerprint(user)])
    with in_language(user.locale):
        context = {
            "reader": user,
            "link": external_url("auth.reset_password", token=token),
            "minutes": minutes,
        }
        subject = _("Set a new Campus password")
        text = render_template("mail/password_reset.txt", **context)
        html = render_template("mail/password_reset.html", **context)
    return subject, text, html


def user_for(purpose: str, token: str, lock: bool = False) -> User:
    """The account a link is for, if the link is valid, unexpired and unused; else
    LinkRefused (the page says "expired" or "invalid", nothing more)."""
    if purpose == links.INVITATION:
        max_age = timedelta(days=int(current_app.config.get("INVITATION_DAYS", 14)))
    else:
        max_age = timedelta(minutes=int(current_app.config.get("PASSWORD_RESET_MINUTES", 60)))
    value = links.unsign(purpose, token, max_age)
    if len(value) != 2 or not isinstance(value[0], int):
        raise links.LinkRefused()
    # Read afresh (and locked on PostgreSQL): of two uses of one link at the same moment,
    # the second sees the password the first one set, and is refused.
    user = db.session.get(User, value[0], populate_existing=True, with_for_update=lock)
    # An intern may set her password before her first day, never after her last.
    if user is None or not user.active or (user.access_until or date.max) < _today():
        raise links.LinkRefused()
    if value[1] != account_fingerprint(user):
        raise links.LinkRefused()  # used: the password changed since the link was made
    return user


def set_password_by_link(purpose: str, token: str, password: str) -> User:
    """Set the password a valid link allows; every session and API token of the account
    ends (whoever had them, the link's owner decides now)."""
    try:
        user = user_for(purpose, token, lock=True)
    except links.LinkRefused as refused:
        raise InvalidInput(
            _l("This link has expired. Please ask for a new one.")
            if refused.expired
            else _l("This link is not valid or was already used. Please ask for a new one."),
            "password",
        ) from refused
    check_new_password(password, user.email, field="password")
    invited = is_invited(user)
    user.set_password(password)
    user.session_version += 1
    revoke_all_tokens(user)
    db.session.flush()
    audit(
        AuditAction.INVITATION_ACCEPTED if invited else AuditAction.PASSWORD_RESET,
        actor=user,
        subject=person(user),
        detail="" if invited else "by e-mail link",
    )
    return user
