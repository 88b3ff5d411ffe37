"""E-mail: the outbox of mails to send, each person's choices, and the replies received."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campus.models.base import Base, StrEnumType, UTCDateTime, utcnow


class MailStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    HELD = "held"  # waits for its reader's next digest
    BUNDLED = "bundled"  # went out inside a digest (digest_id)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class Mail(Base):
    """One message to one address: written in the transaction of the action it tells of
    (so none is lost and none goes out for an action that was rolled back), sent after the
    commit by a job, retried with backoff. The outbox and the sending log in one table."""

    __tablename__ = "mails"
    __table_args__ = (
        Index("ix_mails_status_next", "status", "next_attempt_at"),
        Index("ix_mails_user_status", "user_id", "status"),
        Index("ix_mails_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it is about (a notification's kind, "digest", "password_reset", "invitation",
    # "reply_refused"): the admin's list filters by it.
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, default="")
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    # Where an answer goes (a signed address, campus/mail/links.py); "" for no answers.
    reply_to: Mapped[str] = mapped_column(String(254), default="")
    # Fixed when written: every attempt sends the same Message-ID, by which a mail server
    # and the reader's program recognise a repeat.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[MailStatus] = mapped_column(
        StrEnumType(MailStatus, 12), default=MailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The lease of the attempt under way (as for webhook deliveries).
    claim: Mapped[str] = mapped_column(String(16), default="", server_default="")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A held notification: the digest it went out in.
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("mails.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Mail {self.id} {self.kind} to {self.to_address!r} {self.status}>"


class MailPreference(Base):
    """A person's choice for one kind of notification, where it differs from the default."""

    __tablename__ = "mail_preferences"
    __table_args__ = (CheckConstraint("mode IN ('now', 'digest', 'off')", name="mode"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))


class InboundMail(Base):
    """A mail received by the gateway, once: the same message delivered twice (a mail
    server retrying) is recognised by its key and not added again."""

    __tablename__ = "inbound_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the Message-ID (of the whole message when it has none).
    message_key: Mapped[str] = mapped_column(String(64), unique=True)
    sender: Mapped[str] = mapped_column(String(254), default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "added" (a reply on the ticket), "refused" (answered politely), "ignored" (automatic)
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
