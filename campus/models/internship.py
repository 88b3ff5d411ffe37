"""Pupil internships at the campus (issue 19): a pupil works in first-level support for a
period, supervised by one campus manager at that manager's schools; a plan of days and
parts of days; tickets the supervisor hands over, whose proposed solutions take effect
only when the supervisor approves them (four-eyes); a certificate at the end."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from campus.models.base import Base, StrEnumType, UTCDateTime, utcnow
from campus.models.org import School
from campus.models.ticket import Ticket
from campus.models.user import User


class Internship(Base):
    __tablename__ = "internships"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One internship per intern account: a pupil back next year gets a new account.
    intern_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the last day with access
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The certificate: the supervisor's closing words and sign-off.
    closing_note: Mapped[str] = mapped_column(Text, default="")
    # What the certificate says, frozen at the sign-off (JSON): it never changes after.
    certificate: Mapped[str | None] = mapped_column(Text)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    intern: Mapped[User] = relationship(foreign_keys=[intern_id])
    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    entries: Mapped[list["PlanEntry"]] = relationship(
        back_populates="internship",
        order_by="(PlanEntry.day, PlanEntry.part)",
        cascade="all, delete-orphan",
    )


class DayPart(StrEnum):
    MORNING = "1_morning"  # sorted by value: morning before midday before afternoon
    MIDDAY = "2_midday"
    AFTERNOON = "3_afternoon"


class EntryKind(StrEnum):
    """The templates an entry is made from (its title says what exactly)."""

    ON_SITE = "on_site"  # on site with the supervisor at a school
    TICKETS = "tickets"  # first-level tickets under supervision
    LABELLING = "labelling"  # labelling devices with QR labels
    TABLETS = "tablets"  # setting up tablets
    INTERVIEW = "interview"  # an interview with someone of the trade
    REFLECTION = "reflection"  # looking back, writing the report
    OTHER = "other"


class PlanEntry(Base):
    """One part of one day of the plan: what is planned (the task), what the intern
    reports about it, and the supervisor's comment."""

    __tablename__ = "internship_plan_entries"
    __table_args__ = (UniqueConstraint("internship_id", "day", "part", name="uq_plan_entry_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    internship_id: Mapped[int] = mapped_column(ForeignKey("internships.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    part: Mapped[DayPart] = mapped_column(StrEnumType(DayPart, 12))
    kind: Mapped[EntryKind] = mapped_column(StrEnumType(EntryKind, 12))
    title: Mapped[str] = mapped_column(String(200))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="SET NULL"))
    task: Mapped[str] = mapped_column(Text, default="")
    report: Mapped[str] = mapped_column(Text, default="")  # by the intern
    comment: Mapped[str] = mapped_column(Text, default="")  # by the supervisor

    internship: Mapped[Internship] = relationship(back_populates="entries")
    school: Mapped[School | None] = relationship()


class InternWork(Base):
    """A ticket handed over to interns: who took it, the pending proposal, and how the
    proposals went (the reports count co-solved tickets and approvals at once)."""

    __tablename__ = "intern_work"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    handed_over_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    handed_over_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    intern_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The intern's supervisor when the intern took the ticket: who approves proposals.
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposal: Mapped[str | None] = mapped_column(Text)  # waiting for the supervisor
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_back: Mapped[int] = mapped_column(Integer, default=0)  # proposals sent back
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # co-solved then

    intern: Mapped[User | None] = relationship(foreign_keys=[intern_id])
    ticket: Mapped[Ticket] = relationship(
        backref=backref("intern_work", uselist=False, lazy="select", passive_deletes=True)
    )
