"""Campuses (groups of nearby schools) and their schools."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campus.models.base import Base, UTCDateTime, utcnow

campus_managers = Table(
    "campus_managers",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("campus_id", ForeignKey("campuses.id", ondelete="CASCADE"), primary_key=True),
)


class Campus(Base):
    __tablename__ = "campuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    schools: Mapped[list["School"]] = relationship(back_populates="campus", order_by="School.name")
    managers: Mapped[list["User"]] = relationship(  # noqa: F821
        secondary=campus_managers, back_populates="managed_campuses", order_by="User.display_name"
    )

    def __repr__(self) -> str:
        return f"<Campus {self.id} {self.name!r}>"


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(30))
    # The official number from the state's school register (Schulnummer in NRW: 6 digits).
    school_number: Mapped[str] = mapped_column(String(20), unique=True)
    address: Mapped[str] = mapped_column(Text, default="")
    campus_id: Mapped[int] = mapped_column(ForeignKey("campuses.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The coming weeks' visits and closed days, worked out from the timetable whenever it
    # changes (campus/timetable/plans.py): filing a ticket reads its due dates and the
    # report form its "next on site" from here, with no query of its own.
    visit_plan: Mapped[str | None] = mapped_column(Text)

    campus: Mapped[Campus] = relationship(back_populates="schools")

    def __repr__(self) -> str:
        return f"<School {self.id} {self.short_name!r}>"
