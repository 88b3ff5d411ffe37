"""Single sign-on (issue 18): which Campus account belongs to which person at an OpenID
provider, and the sign-in settings.

A link is found by the provider's stable subject id, never by an e-mail address once it
exists. The providers themselves are configured (OIDC_PROVIDERS, campus/sso/providers.py);
`provider` holds a configured provider's name.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campus.models.base import Base, UTCDateTime, utcnow
from campus.models.user import User


class SsoLink(Base):
    __tablename__ = "sso_links"
    __table_args__ = (
        UniqueConstraint("provider", "subject", name="uq_sso_links_provider_subject"),
        UniqueConstraint("user_id", "provider", name="uq_sso_links_user_provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The provider's refresh token (offline access), encrypted with a key derived from the
    # secret key: the daily sync asks the provider with it whether the person still exists.
    refresh_token: Mapped[str | None] = mapped_column(Text)
    # When the provider said the person is gone (the sync's refresh was refused, or a
    # login's claims no longer placed them); the account was deactivated then, and comes
    # back by itself at the next login the provider places again.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInSettings(Base):
    """One row (id 1), or none yet: then the defaults (passwords for everyone)."""

    __tablename__ = "sign_in_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # False: only administrators may sign in with a password; everyone else through a
    # provider (takes effect only while a provider is configured).
    password_for_all: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sync's last run: when, and what it found (JSON counts).
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sync_summary: Mapped[str] = mapped_column(String(500), default="")
    # Set while a sync runs (its lease): a second run at the same time does nothing.
    sync_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
