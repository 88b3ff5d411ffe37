"""The audit trail: who did what to accounts, tokens, webhooks and exports, when, from where."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from campus.models.base import Base, StrEnumType, UTCDateTime, utcnow


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKED_OUT = "locked_out"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - names of acts, not secrets
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"  # role, school or campuses
    PASSWORD_RESET = "password_reset"  # noqa: S105
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    TOKEN_CREATED = "token_created"  # noqa: S105
    TOKEN_REVOKED = "token_revoked"  # noqa: S105
    WEBHOOK_ADDED = "webhook_added"
    WEBHOOK_SWITCHED = "webhook_switched"
    WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated"  # noqa: S105
    WEBHOOK_DELETED = "webhook_deleted"
    EXPORT = "export"
    USER_INVITED = "user_invited"
    INVITATION_ACCEPTED = "invitation_accepted"
    PRIVACY_CHANGED = "privacy_changed"  # retention periods, manager figures on or off
    PERSON_ERASED = "person_erased"  # on request (GDPR Art. 17)
    DATA_EXPORTED = "data_exported"  # a person's data (Art. 15), by herself or an admin
    SSO_LINKED = "sso_linked"  # an account linked with a provider's subject
    SSO_UNLINKED = "sso_unlinked"
    SIGN_IN_CHANGED = "sign_in_changed"  # passwords for everyone, or administrators only


class AuditEntry(Base):
    """One recorded act. `actor_label` keeps what was typed when there is no account (a
    failed login) and the actor's address as it was; `address` is the client's."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[AuditAction] = mapped_column(StrEnumType(AuditAction, 30))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")
    address: Mapped[str] = mapped_column(String(45), default="")
