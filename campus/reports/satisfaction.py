"""How teachers rated the solutions (one-click feedback), per campus or school: read
straight from the feedback rows, one query for both groupings.

Counted over whole, finished calendar months only (those the period touches): figures that
never change once shown, so that neither looking again tomorrow nor a period one day
longer gives away a single new rating. A school's month counts only with at least
MIN_ANSWERS answers (a month with fewer is left out, and said so), and a campus is the sum
of its schools' counted months: so any two periods, and a campus and its schools, differ
by whole months of at least MIN_ANSWERS answers of one school.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal_column, select

from campus.extensions import db
from campus.models import Campus, Feedback, School
from campus.reports.period import Period, whole_month
from campus.reports.sums import Scope
from campus.reports.trend import running_month

# A share is shown from this many answers on: below it, a single answer would be too
# easy to trace back to the teacher who gave it.
MIN_ANSWERS = 5


@dataclass
class Satisfaction:
    key: int | None
    label: str
    up: int
    down: int
    per_month: dict[int, int] = field(default_factory=dict)  # answers in each month

    @property
    def answers(self) -> int:
        return self.up + self.down

    @property
    def share_up(self) -> float | None:
        """The share of thumbs up, or None with too few answers to show one."""
        return self.up / self.answers if self.answers >= MIN_ANSWERS else None

    def add(self, month: int, up: int, down: int) -> None:
        self.up += up
        self.down += down
        self.per_month[month] = self.per_month.get(month, 0) + up + down


def counted_months(period: Period, now: datetime) -> list[tuple[str, datetime, datetime]]:
    """The finished calendar months the period touches, whole: (YYYY-MM, start, end)."""
    # an hour's grace: a rating saved just before midnight is in its month by then
    running = running_month(now - timedelta(hours=1))
    months = []
    for key, _start, _end in period.months():
        if key >= running:
            break
        months.append((key, *whole_month(key)))
    return months


def satisfaction(period: Period, scope: Scope, now: datetime) -> dict:
    """Thumbs up and down per school, and summed per campus, in the counted months (each
    school's month only with at least MIN_ANSWERS answers); and how many answers were
    left out for that."""
    months = counted_months(period, now)
    result: dict = {"campus": [], "school": [], "answers": 0, "months": months, "left_out": 0}
    if not months:
        return result
    up = func.sum(case((Feedback.rating > 0, 1), else_=0))
    down = func.sum(case((Feedback.rating < 0, 1), else_=0))
    month = case(
        *[(Feedback.created_at < end, index) for index, (_k, _s, end) in enumerate(months)],
        else_=len(months),
    ).label("month")
    query = (
        select(Feedback.school_id, School.name, Feedback.campus_id, Campus.name, month, up, down)
        .join(School, School.id == Feedback.school_id)
        .join(Campus, Campus.id == Feedback.campus_id)
        .where(Feedback.created_at >= months[0][1], Feedback.created_at < months[-1][2])
        # by the output name: PostgreSQL would not match the CASE (new placeholders) to itself
        .group_by(Feedback.school_id, School.name, Feedback.campus_id, Campus.name)
        .group_by(literal_column("month"))
    )
    if scope.campus_ids is not None:
        query = query.where(Feedback.campus_id.in_(scope.campus_ids))
    schools: dict[int, Satisfaction] = {}
    campuses: dict[int, Satisfaction] = {}
    left_out = 0
    for school_id, school, campus_id, campus, index, ups, downs in db.session.execute(query):
        ups, downs = int(ups), int(downs)
        if ups + downs < MIN_ANSWERS:  # too few in this school's month: not counted
            left_out += ups + downs
            continue
        schools.setdefault(school_id, Satisfaction(school_id, school, 0, 0)).add(
            int(index), ups, downs
        )
        campuses.setdefault(campus_id, Satisfaction(campus_id, campus, 0, 0)).add(
            int(index), ups, downs
        )
    by_name = lambda row: row.label.lower()  # noqa: E731
    result["campus"] = sorted(campuses.values(), key=by_name)
    result["school"] = sorted(schools.values(), key=by_name)
    result["answers"] = sum(row.answers for row in campuses.values())
    result["left_out"] = left_out
    return result
