"""How teachers rated the solutions (one-click feedback), per campus or school: read
straight from the feedback rows of the period, one query per grouping."""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from campus.extensions import db
from campus.models import Campus, Feedback, School
from campus.reports.period import Period
from campus.reports.sums import Scope

# A share is shown from this many answers on: below it, a single answer would be too
# easy to trace back to the teacher who gave it.
MIN_ANSWERS = 5


@dataclass
class Satisfaction:
    key: int | None
    label: str
    up: int
    down: int

    @property
    def answers(self) -> int:
        return self.up + self.down

    @property
    def share_up(self) -> float | None:
        """The share of thumbs up, or None with too few answers to show one."""
        return self.up / self.answers if self.answers >= MIN_ANSWERS else None


def satisfaction(period: Period, scope: Scope) -> dict[str, list[Satisfaction]]:
    """Thumbs up and down given in the period per school, and summed per campus: one
    query, grouped by school (each school belongs to one campus)."""
    up = func.sum(case((Feedback.rating > 0, 1), else_=0))
    down = func.sum(case((Feedback.rating < 0, 1), else_=0))
    query = (
        select(Feedback.school_id, School.name, Feedback.campus_id, Campus.name, up, down)
        .join(School, School.id == Feedback.school_id)
        .join(Campus, Campus.id == Feedback.campus_id)
        .where(Feedback.created_at >= period.start, Feedback.created_at < period.end)
        .group_by(Feedback.school_id, School.name, Feedback.campus_id, Campus.name)
    )
    if scope.campus_ids is not None:
        query = query.where(Feedback.campus_id.in_(scope.campus_ids))
    schools, campuses = [], {}
    for school_id, school, campus_id, campus, ups, downs in db.session.execute(query):
        schools.append(Satisfaction(school_id, school, int(ups), int(downs)))
        total = campuses.setdefault(campus_id, Satisfaction(campus_id, campus, 0, 0))
        total.up += int(ups)
        total.down += int(downs)
    by_name = lambda row: row.label.lower()  # noqa: E731
    # A list shows only when every row in it has enough answers: otherwise the campus
    # minus the schools shown would give away a school's single rating.
    return {
        "campus": sorted(campuses.values(), key=by_name)
        if all(c.share_up is not None for c in campuses.values())
        else [],
        "school": sorted(schools, key=by_name)
        if all(s.share_up is not None for s in schools)
        else [],
        "answers": sum(c.answers for c in campuses.values()),
    }
