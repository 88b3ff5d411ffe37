"""Linked accounts for administrators: who is linked to which provider, and unlinking."""

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from campus.audit import audit, person
from campus.exceptions import NotAllowed
from campus.extensions import db
from campus.models import AuditAction, SsoLink, User
from campus.permissions import can_administer
from campus.sso.settings import ADMINS_ONLY


def linked_users(provider: str | None = None, search: str | None = None) -> Select:
    """Links with their people, newest sign-in first."""
    query = (
        select(SsoLink)
        .join(User, User.id == SsoLink.user_id)
        .options(selectinload(SsoLink.user).selectinload(User.school))
        .order_by(SsoLink.last_login_at.desc().nulls_last(), SsoLink.id)
    )
    if provider:
        query = query.where(SsoLink.provider == provider)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(func.lower(User.display_name).like(pattern), User.email.like(pattern))
        )
    return query


def links_per_provider() -> dict[str, int]:
    return dict(
        db.session.execute(
            select(SsoLink.provider, func.count(SsoLink.id)).group_by(SsoLink.provider)
        ).all()
    )


def linked_ids(user_ids: list[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        db.session.scalars(select(SsoLink.user_id).where(SsoLink.user_id.in_(user_ids))).all()
    )


def links_of(user: User) -> dict[str, SsoLink]:
    """A person's links by provider name."""
    return {
        link.provider: link
        for link in db.session.scalars(select(SsoLink).where(SsoLink.user_id == user.id))
    }


def unlink(actor: User, link: SsoLink) -> None:
    """The account no longer signs in through this provider (a wrong link): its logins
    end. A teacher's next sign-in there links anew by her verified address; to keep a
    person out, deactivate the account."""
    if not can_administer(actor):
        raise NotAllowed(ADMINS_ONLY)
    audit(AuditAction.SSO_UNLINKED, actor=actor, subject=person(link.user), detail=link.provider)
    link.user.session_version += 1  # signed in through the link: those logins end
    db.session.delete(link)
    db.session.flush()
