"""The campus managers' week: which school they visit on which weekday and part of the
day, the exceptions to it (an absence with or without a substitute, a visit cancelled,
moved or added), the days schools are closed (holidays), and the visits recorded on site."""

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campus.models.base import Base, StrEnumType, UTCDateTime, utcnow
from campus.models.org import School
from campus.models.user import User


class Visit(Base):
    """One line of a manager's timetable: every <weekday>, <starts>-<ends>, at a school."""

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("starts < ends", name="times"),
        Index("ix_visits_manager_weekday", "manager_id", "weekday", "starts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday (date.weekday())
    starts: Mapped[time] = mapped_column(Time)  # local time, Europe/Berlin
    ends: Mapped[time] = mapped_column(Time)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[User] = relationship()
    school: Mapped[School] = relationship()


class AbsenceReason(StrEnum):
    ILLNESS = "illness"
    TRAINING = "training"
    LEAVE = "leave"
    OTHER = "other"


class Absence(Base):
    """A manager away for some days: their visits then are made by the substitute, if one
    is named, or do not take place."""

    __tablename__ = "absences"
    __table_args__ = (
        CheckConstraint("first_day <= last_day", name="days"),
        CheckConstraint("reason IN ('illness', 'training', 'leave', 'other')", name="reason"),
        Index("ix_absences_manager_days", "manager_id", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[AbsenceReason] = mapped_column(StrEnumType(AbsenceReason, 12))
    substitute_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[User] = relationship(foreign_keys=[manager_id])
    substitute: Mapped[User | None] = relationship(foreign_keys=[substitute_id])


class ChangeKind(StrEnum):
    CANCELLED = "cancelled"  # the visit of the timetable on that day does not take place
    EXTRA = "extra"  # a visit outside the timetable (the other half of a swapped day)


class VisitChange(Base):
    """A one-off change to the timetable on one day. A swapped day is two of them: the
    regular visit cancelled and an extra one on the other day."""

    __tablename__ = "visit_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('cancelled', 'extra')", name="kind"),
        CheckConstraint("starts < ends", name="times"),
        Index("ix_visit_changes_school_day", "school_id", "day"),
        Index("ix_visit_changes_manager_day", "manager_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[ChangeKind] = mapped_column(StrEnumType(ChangeKind, 10))
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[User] = relationship()
    school: Mapped[School] = relationship()


class Holiday(Base):
    """Days the schools are closed (school holidays, public holidays): no visits, and the
    clocks of the due dates stand still."""

    __tablename__ = "holidays"
    __table_args__ = (
        CheckConstraint("first_day <= last_day", name="days"),
        Index("ix_holidays_last_day", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    # The UID of the calendar entry it was imported from: a second import updates it.
    uid: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SiteVisit(Base):
    """A manager's "on site now", recorded from the day plan."""

    __tablename__ = "site_visits"
    __table_args__ = (Index("ix_site_visits_school_arrived", "school_id", "arrived_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[User] = relationship()
    school: Mapped[School] = relationship()
