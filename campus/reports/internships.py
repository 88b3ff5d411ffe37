"""Pupil internships in the reports (issue 19): per campus and year, how many internships
ran, how many tickets interns co-solved (a proposal their supervisor approved), and how
often a proposal was approved at once. Anonymous: counts only, no intern is named, and
the tickets and the share only where at least MIN_INTERNSHIPS internships make up the
cell (of one intern they would be her own figures). An internship counts once, at the
first campus of its supervisor."""

from dataclasses import dataclass

from sqlalchemy import func, select

from campus.extensions import db
from campus.models import Campus, Internship, InternWork, Ticket, campus_managers
from campus.reports.sums import Scope

MIN_INTERNSHIPS = 3


@dataclass
class InternshipRow:
    campus: str
    year: int
    internships: int
    co_solved: int
    at_once: int

    @property
    def shown(self) -> bool:
        """Enough internships in the cell for its ticket figures to name nobody."""
        return self.internships >= MIN_INTERNSHIPS

    @property
    def at_once_share(self) -> float | None:
        return self.at_once / self.co_solved if self.co_solved and self.shown else None


def internship_figures(scope: Scope) -> list[InternshipRow]:
    """Rows by campus and year, newest year first (two queries, whatever the numbers)."""
    each = (
        select(
            func.min(campus_managers.c.campus_id).label("campus_id"),
            func.extract("year", Internship.starts_on).label("year"),
        )
        .join(campus_managers, campus_managers.c.user_id == Internship.supervisor_id)
        .group_by(Internship.id, Internship.starts_on)
        .subquery()
    )
    ran = select(each.c.campus_id, each.c.year, func.count()).group_by(
        each.c.campus_id, each.c.year
    )
    if scope.campus_ids is not None:
        ran = ran.where(each.c.campus_id.in_(scope.campus_ids))
    approved_year = func.extract("year", InternWork.approved_at)
    solved = scope.apply(
        select(
            Ticket.campus_id,
            approved_year,
            func.count(InternWork.ticket_id),
            func.count(InternWork.ticket_id).filter(InternWork.sent_back == 0),
        )
        .join(Ticket, Ticket.id == InternWork.ticket_id)
        .where(InternWork.approved_at.is_not(None))
        .group_by(Ticket.campus_id, approved_year)
    )
    cells: dict[tuple[int, int], list[int]] = {}
    for campus_id, when, count in db.session.execute(ran):
        cells.setdefault((campus_id, int(when)), [0, 0, 0])[0] = count
    for campus_id, when, count, at_once in db.session.execute(solved):
        cell = cells.setdefault((campus_id, int(when)), [0, 0, 0])
        cell[1], cell[2] = count, at_once
    if not cells:
        return []
    names = dict(
        db.session.execute(
            select(Campus.id, Campus.name).where(Campus.id.in_({c for c, _y in cells}))
        ).all()
    )
    rows = [InternshipRow(names[c], y, *values) for (c, y), values in cells.items()]
    return sorted(rows, key=lambda r: (-r.year, r.campus))
