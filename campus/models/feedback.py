"""A teacher's word on a solution: thumbs up or down and a comment, once per ticket.

No user column: the reporter is the only one who may give it, and the reports count it
per campus, school and level, never per person."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from campus.models.base import Base, UTCDateTime, utcnow

UP, DOWN = 1, -1
COMMENT_MAX = 2000


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("rating IN (-1, 1)", name="rating"),
        CheckConstraint("level IN (1, 2)", name="level"),
        Index("ix_feedback_campus_created", "campus_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    campus_id: Mapped[int] = mapped_column(ForeignKey("campuses.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(Integer)  # where the ticket was solved
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(COMMENT_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
