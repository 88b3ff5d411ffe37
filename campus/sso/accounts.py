"""Accounts from the provider: who a verified ID token's claims are in Campus.

A person is found by the provider's subject id once linked, never by the e-mail address
alone. A first sign-in links the account with the same (verified) address, or creates
one when the claims place the person: a teacher needs a school Campus knows. Role and
school follow the claims where the provider's settings map them; administrators are
never made, changed or linked automatically by a provider.

A linked person whom the claims no longer place (no known school, no role) is refused
and deactivated; the account comes back by itself at a later sign-in that places them.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus.admin.services import placement_text, set_user_active, system_actor
from campus.audit import audit, person
from campus.auth.invitations import unusable_password
from campus.events import UserPlacementChanged
from campus.extensions import db
from campus.models import (
    AuditAction,
    SsoLink,
    User,
    utcnow,
)
from campus.permissions import is_admin, reports_problems
from campus.sso.claims import address, display_name, placement, refused, where_to
from campus.sso.errors import SignInRefused
from campus.sso.notice import write_link_notice
from campus.sso.providers import Provider
from campus.sso.vault import seal
from campus.unit_of_work import record


@dataclass
class Outcome:
    user: User | None
    refusal: SignInRefused | None = None


def sign_in(provider: Provider, claims: Mapping, refresh_token: str | None) -> Outcome:
    """The account for these verified claims, linked and placed; or why not. Runs in the
    caller's unit of work, which is committed in both cases (a refusal may deactivate)."""
    subject = str(claims.get("sub") or "")[:255]
    if not subject:
        return Outcome(None, refused(_l("The sign-in could not be checked."), "no subject"))
    link = db.session.scalar(
        select(SsoLink).where(SsoLink.provider == provider.name, SsoLink.subject == subject)
    )
    email = address(provider, claims)
    place = placement(provider, claims)
    if link is None:
        return _first_sign_in(provider, claims, subject, email, place, refresh_token)
    user = link.user
    target = where_to(user, place)
    if isinstance(target, SignInRefused):
        if user.active:
            set_user_active(system_actor(), user, False)
            link.removed_at = user.deactivated_at
        return Outcome(None, target)
    if not user.active:
        came_back = link.removed_at is not None and user.deactivated_at == link.removed_at
        if not came_back or user.pseudonymised_at is not None:
            return Outcome(None, _deactivated())
        set_user_active(system_actor(), user, True)
        link.removed_at = None
    _follow(provider, user, claims, email, target)
    _touch(link, refresh_token)
    return Outcome(user)


def _deactivated() -> SignInRefused:
    return refused(
        _l("Your Campus account is deactivated. Please ask the administration."),
        "deactivated",
    )


def _first_sign_in(provider, claims, subject, email, place, refresh_token) -> Outcome:
    user = None
    if email is not None and provider.link_by_email:
        user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        taken = db.session.scalar(
            select(SsoLink.id).where(SsoLink.user_id == user.id, SsoLink.provider == provider.name)
        )
        # Only teachers' accounts are linked by address: whoever holds more rights links
        # her account herself, from the profile page, with her password.
        if not reports_problems(user) or taken is not None:
            return Outcome(
                None,
                refused(
                    _l(
                        "A Campus account with your e-mail address exists but cannot be "
                        "linked automatically. Please sign in with your password and link "
                        "your school account on your profile page, or ask the administration."
                    ),
                    "address taken",
                ),
            )
        if not user.active:
            return Outcome(None, _deactivated())
    target = where_to(user, place)
    if isinstance(target, SignInRefused):
        return Outcome(None, target)
    if user is None:
        if not provider.create_users:
            return Outcome(
                None,
                refused(
                    _l("There is no Campus account for you yet. Please ask the administration."),
                    "no account",
                ),
            )
        if email is None:
            return Outcome(
                None,
                refused(
                    _l(
                        "Your school account shares no verified e-mail address with Campus, "
                        "which a new account needs. Please ask the administration."
                    ),
                    "no address",
                ),
            )
        user = _create(provider, claims, email, target)
    else:
        _follow(provider, user, claims, email, target)
        write_link_notice(user, provider)
    link = SsoLink(user_id=user.id, provider=provider.name, subject=subject)
    db.session.add(link)
    _touch(link, refresh_token)
    audit(AuditAction.SSO_LINKED, actor=user, subject=person(user), detail=provider.name)
    return Outcome(user)


def _create(provider: Provider, claims: Mapping, email: str, target) -> User:
    role, school, campuses = target
    user = User(
        email=email,
        display_name=display_name(claims, email.split("@")[0]),
        role=role,
        school=school,
        password_hash=unusable_password(),
    )
    user.managed_campuses = campuses
    locale = claims.get("locale")
    if isinstance(locale, str) and locale[:2] in ("de", "en"):
        user.locale = locale[:2]
    db.session.add(user)
    db.session.flush()
    audit(
        AuditAction.USER_CREATED,
        actor_label=f"sso:{provider.name}",
        subject=person(user),
        detail=placement_text(user),
    )
    record(UserPlacementChanged(at=utcnow(), user=user))
    return user


def _follow(provider: Provider, user: User, claims: Mapping, email, target) -> None:
    """Role, school, name and address as the provider says, where they changed (an
    administrator's account is hers to keep: the provider changes nothing of it)."""
    if is_admin(user):
        return
    role, school, campuses = target
    before = placement_text(user)
    if role != user.role or school != user.school or set(campuses) != set(user.managed_campuses):
        user.role, user.school = role, school
        user.managed_campuses = campuses
        db.session.flush()
        audit(
            AuditAction.USER_CHANGED,
            actor_label=f"sso:{provider.name}",
            subject=person(user),
            detail=f"{before} → {placement_text(user)}",
        )
        record(UserPlacementChanged(at=utcnow(), user=user))
    user.display_name = display_name(claims, user.display_name)
    if email is not None and email != user.email:
        clash = db.session.scalar(select(User.id).where(User.email == email))
        if clash is None:
            audit(
                AuditAction.USER_CHANGED,
                actor_label=f"sso:{provider.name}",
                subject=person(user),
                detail=f"address {user.email} → {email}",
            )
            user.email = email


def _touch(link: SsoLink, refresh_token: str | None) -> None:
    """A sign-in went through: the provider knows the person (again)."""
    link.last_login_at = utcnow()
    link.removed_at = None
    if refresh_token:
        link.refresh_token = seal(refresh_token)
    db.session.flush()


def link_account(provider: Provider, user: User, claims: Mapping, refresh_token) -> SsoLink:
    """Link a signed-in person's account with their school account (from the profile),
    if the claims would place the account where it is (otherwise its first sign-in there
    would refuse, and deactivate, it)."""
    subject = str(claims.get("sub") or "")[:255]
    target = where_to(user, placement(provider, claims))
    if isinstance(target, SignInRefused):
        raise target
    taken = db.session.scalar(
        select(SsoLink).where(SsoLink.provider == provider.name, SsoLink.subject == subject)
    )
    if taken is not None and taken.user_id != user.id:
        raise SignInRefused(
            _l("This school account is already linked with another Campus account."), "taken"
        )
    if taken is not None:
        _touch(taken, refresh_token)
        return taken
    own = db.session.scalar(
        select(SsoLink).where(SsoLink.user_id == user.id, SsoLink.provider == provider.name)
    )
    if own is not None:
        db.session.delete(own)  # the former school account gives way
        db.session.flush()
    link = SsoLink(user_id=user.id, provider=provider.name, subject=subject)
    db.session.add(link)
    _touch(link, refresh_token)
    audit(AuditAction.SSO_LINKED, actor=user, subject=person(user), detail=provider.name)
    write_link_notice(user, provider)
    return link
