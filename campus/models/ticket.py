"""Tickets and their event trail (audit log and conversation in one)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    String,
    Text,
    bindparam,
    case,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campus.models.base import Base, StrEnumType, UTCDateTime, utcnow
from campus.models.device import Device
from campus.models.org import Campus, School
from campus.models.ticket_terms import Category, EventKind, Impact
from campus.models.user import User

# PostgreSQL hands out ticket numbers from this sequence (SQLite ignores it); the
# migration creates it for existing databases.
ticket_numbers = Sequence("ticket_numbers", metadata=Base.metadata)


class TicketStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.IN_PROGRESS,
    TicketStatus.WAITING,
    TicketStatus.ESCALATED,
)


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


# Open tickets as a partial index's condition; a query uses such an index only when it
# states the same condition with the values written out (Ticket.is_open_clause()).
OPEN_CONDITION = f"status IN ({', '.join(repr(s.value) for s in OPEN_STATUSES)})"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(_in("status", TicketStatus), name="status"),
        CheckConstraint(_in("category", Category), name="category"),
        CheckConstraint(_in("impact", Impact), name="impact"),
        CheckConstraint("level IN (1, 2)", name="level"),
        CheckConstraint(
            "resolved_level IS NULL OR resolved_level IN (1, 2)", name="resolved_level"
        ),
        # Queues: a campus's or a school's tickets in a status, oldest or newest first.
        Index("ix_tickets_campus_status_created", "campus_id", "status", "created_at"),
        Index("ix_tickets_school_status_created", "school_id", "status", "created_at"),
        # A school's tickets newest first (other devices of the same model, on a ticket).
        Index("ix_tickets_school_created", "school_id", "created_at"),
        Index("ix_tickets_reporter_created", "reporter_id", "created_at"),
        Index("ix_tickets_assignee_status", "assignee_id", "status"),
        Index("ix_tickets_device_created", "device_id", "created_at"),
        # The system house's queue: tickets that were escalated, by status.
        Index("ix_tickets_level_status_created", "level", "status", "created_at"),
        # Lists sorted by urgency (impact, then age), read in index order a page at a
        # time: a campus's tickets in one status, and the open work of each level, for
        # one campus or all (partial: only open tickets, a small part of all).
        Index(
            "ix_tickets_campus_status_impact", "campus_id", "status", "impact", "created_at", "id"
        ),
        Index(
            "ix_tickets_open_campus_level_impact",
            "campus_id",
            "level",
            "impact",
            "created_at",
            "id",
            sqlite_where=text(OPEN_CONDITION),
            postgresql_where=text(OPEN_CONDITION),
        ),
        Index(
            "ix_tickets_open_level_impact",
            "level",
            "impact",
            "created_at",
            "id",
            sqlite_where=text(OPEN_CONDITION),
            postgresql_where=text(OPEN_CONDITION),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # campus_id repeats school.campus_id so queues and reports filter without a join.
    campus_id: Mapped[int] = mapped_column(ForeignKey("campuses.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    room: Mapped[str] = mapped_column(String(60), default="")
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    category: Mapped[Category] = mapped_column(StrEnumType(Category, 30))
    impact: Mapped[Impact] = mapped_column(StrEnumType(Impact, 20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[TicketStatus] = mapped_column(
        StrEnumType(TicketStatus, 20), default=TicketStatus.NEW
    )
    level: Mapped[int] = mapped_column(Integer, default=1)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The campus manager who last worked on it at level 1: a returned or reopened
    # ticket goes back to them.
    l1_assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Due dates, set when it is filed (campus/timetable/due.py): the first response by
    # the school's next visit (blocking faults: within working hours), the resolution
    # by the impact's target; working hours and holidays respected.
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_level: Mapped[int | None] = mapped_column(Integer)
    # When its people and texts were removed (campus/privacy/); what is counted stays.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the system house when resolving: could level 1 have solved it?
    l1_capable: Mapped[bool | None] = mapped_column(Boolean)
    # How often the teacher reopened it (the reports' reopen rate reads this).
    reopened_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Optimistic locking: an UPDATE only succeeds against the version it read, so of two
    # people acting on the same ticket at once, the second is refused, not merged.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    l1_assignee: Mapped[User | None] = relationship(foreign_keys=[l1_assignee_id])
    campus: Mapped[Campus] = relationship()
    school: Mapped[School] = relationship()
    device: Mapped[Device | None] = relationship()
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )
    photos: Mapped[list["TicketPhoto"]] = relationship(
        back_populates="ticket", order_by="TicketPhoto.id", cascade="all, delete-orphan"
    )
    analyses: Mapped[list["FaultAnalysis"]] = relationship(
        back_populates="ticket", order_by="FaultAnalysis.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def snapshot(self) -> dict:
        """Its column values now (a domain event's `before`)."""
        return {attr.key: getattr(self, attr.key) for attr in self.__mapper__.column_attrs}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def next_due(self) -> datetime | None:
        """What is due next: the first response until there is one, then the resolution."""
        if not self.is_open or self.status == TicketStatus.WAITING:
            return None
        return self.respond_by if self.first_response_at is None else self.resolve_by

    @staticmethod
    def next_due_clause():
        """next_due in SQL (with is_open_clause() and status != waiting)."""
        return case(
            (Ticket.first_response_at.is_(None), Ticket.respond_by), else_=Ticket.resolve_by
        )

    @staticmethod
    def is_open_clause():
        """`status IN (open statuses)` with the values written into the SQL, so that the
        open-ticket partial indexes apply (bound parameters would hide them)."""
        values = [s.value for s in OPEN_STATUSES]
        return Ticket.status.in_(
            bindparam("open_statuses", values, expanding=True, literal_execute=True)
        )

    def __repr__(self) -> str:
        return f"<Ticket {self.number} {self.status} L{self.level}>"


class TicketEvent(Base):
    __tablename__ = "ticket_events"
    __table_args__ = (
        Index("ix_ticket_events_ticket_created", "ticket_id", "created_at"),
        # The mail outbox: history entries whose notifications are not written yet.
        Index(
            "ix_ticket_events_unmailed",
            "id",
            sqlite_where=text("NOT mailed"),
            postgresql_where=text("NOT mailed"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What happened (no CHECK constraint: the type refuses other values on writing).
    kind: Mapped[EventKind] = mapped_column(StrEnumType(EventKind, 20))
    old_status: Mapped[TicketStatus | None] = mapped_column(StrEnumType(TicketStatus, 20))
    new_status: Mapped[TicketStatus | None] = mapped_column(StrEnumType(TicketStatus, 20))
    old_level: Mapped[int | None] = mapped_column(Integer)
    new_level: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    # False until the mails that tell of this entry are written (campus/mail/
    # notifications.py): the entry, saved with the change, is the mail outbox's notice.
    mailed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<TicketEvent {self.id} {self.kind} on {self.ticket_id}>"


class TicketPhoto(Base):
    """A photo the reporter attached; the file lives outside static/ under a random name."""

    __tablename__ = "ticket_photos"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp')", name="content_type"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="photos")


class FaultAnalysis(Base):
    """The campus manager's structured analysis that goes with an escalation."""

    __tablename__ = "fault_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_events.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    symptoms: Mapped[str] = mapped_column(Text)
    steps_tried: Mapped[str] = mapped_column(Text)
    device_data: Mapped[str] = mapped_column(Text)
    reproduce: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="analyses")
    event: Mapped[TicketEvent | None] = relationship()
    author: Mapped[User | None] = relationship()


class CategorySetting(Base):
    """Per category: can level 1 resolve it by nature? (No: left out of the net FLR.)"""

    __tablename__ = "category_settings"
    __table_args__ = (CheckConstraint(_in("category", Category), name="category"),)

    category: Mapped[Category] = mapped_column(StrEnumType(Category, 30), primary_key=True)
    l1_resolvable: Mapped[bool] = mapped_column(Boolean, default=True)
