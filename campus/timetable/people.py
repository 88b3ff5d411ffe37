"""Who makes the visits: a substitute's blind spots, and the timetable following a person
who leaves the role or a campus."""

from sqlalchemy import select

from campus.extensions import db
from campus.models import Absence, User, Visit, VisitChange
from campus.permissions import looks_after_school, manages_a_campus
from campus.timetable.plans import schools_of
from campus.timetable.plans import today as plans_today
from campus.timetable.services import changed


def substitute_misses_campuses(absence: Absence) -> list[str]:
    """The absent manager's campuses whose tickets the substitute cannot see."""
    if absence.substitute is None:
        return []
    theirs = set(absence.substitute.campus_ids)
    return [c.name for c in absence.manager.managed_campuses if c.id not in theirs]


def follow_person(user: User) -> None:
    """A user was deactivated, or their role or campuses changed: the visits they can no
    longer make leave the timetable (and the absences they stood in for lose them as
    substitute), so that no teacher is promised a visit that will not come."""
    able = user.active and manages_a_campus(user)
    affected: set[int] = set()
    for entry in [
        *db.session.scalars(select(Visit).where(Visit.manager_id == user.id)),
        *db.session.scalars(select(VisitChange).where(VisitChange.manager_id == user.id)),
    ]:
        if not (able and looks_after_school(user, entry.school)):
            affected.add(entry.school_id)
            db.session.delete(entry)
    if not able:
        for absence in db.session.scalars(
            select(Absence).where(
                Absence.substitute_id == user.id, Absence.last_day >= plans_today()
            )
        ):
            absence.substitute_id = None
            affected |= set(schools_of({absence.manager_id}))
    if affected:
        db.session.flush()
        changed(affected)
