"""The evaluation's second question: short anonymous teacher surveys, opened by an admin
for a period. Answers are kept only as counts per question, school and value: no row
stands for one answer, so nothing in the database links an answer to a person. Who has
seen a survey (answered or skipped, not told apart) is kept so that it is asked once."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campus.models.base import Base, UTCDateTime, utcnow

SCALE = (1, 2, 3, 4, 5)


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (CheckConstraint("opens_on <= closes_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)  # the last day, included
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questions: Mapped[list["SurveyQuestion"]] = relationship(
        order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )


class SurveyQuestion(Base):
    """One question on a five-point scale, with the words at its two ends."""

    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300))
    low: Mapped[str] = mapped_column(String(60))  # what 1 means
    high: Mapped[str] = mapped_column(String(60))  # what 5 means


class SurveyTally(Base):
    """How many teachers of a school gave `value` to a question."""

    __tablename__ = "survey_tallies"
    __table_args__ = (
        UniqueConstraint("question_id", "school_id", "value", name="one_count"),
        CheckConstraint("value BETWEEN 1 AND 5", name="value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    campus_id: Mapped[int] = mapped_column(ForeignKey("campuses.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class SurveySeen(Base):
    """A teacher was asked (answered or skipped: not told apart) and is not asked again."""

    __tablename__ = "survey_seen"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
