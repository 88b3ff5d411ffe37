"""The timetable read from the database, and each school's plan of the coming weeks kept on
the school (schools.visit_plan), refreshed whenever the timetable changes and each night.

Filing a ticket and the report form read a school's plan from the row they load anyway;
where the kept plan does not reach far enough (the nightly refresh has not run, or a due
date lies beyond it), the plan is worked out from the tables instead: never wrong, only
a few queries more.
"""

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from campus.extensions import db
from campus.models import Absence, Holiday, School, User, Visit, VisitChange, utcnow
from campus.timetable.schedule import BERLIN, Away, Occurrence, OneOff, Plan, Slot, Timetable

LONGEST = 400  # days: no due date is looked for further ahead than this


def load_timetable(
    first: date,
    last: date,
    school_ids: list[int] | None = None,
    manager_ids: list[int] | None = None,
) -> Timetable:
    """The timetable of these schools (or managers; None: all) from `first` to `last`."""
    visits = select(Visit.manager_id, Visit.school_id, Visit.weekday, Visit.starts, Visit.ends)
    changes = select(
        VisitChange.manager_id,
        VisitChange.school_id,
        VisitChange.day,
        VisitChange.kind,
        VisitChange.starts,
        VisitChange.ends,
    ).where(VisitChange.day.between(first, last))
    if school_ids is not None:
        visits = visits.where(Visit.school_id.in_(school_ids))
        changes = changes.where(VisitChange.school_id.in_(school_ids))
    if manager_ids is not None:
        visits = visits.where(Visit.manager_id.in_(manager_ids))
        changes = changes.where(VisitChange.manager_id.in_(manager_ids))
    slots = [Slot(*row) for row in db.session.execute(visits)]
    one_offs = [OneOff(*row) for row in db.session.execute(changes)]
    involved = {s.manager_id for s in slots} | {c.manager_id for c in one_offs}
    absences = []
    if involved:
        absences = [
            Away(*row)
            for row in db.session.execute(
                select(
                    Absence.manager_id, Absence.first_day, Absence.last_day, Absence.substitute_id
                ).where(
                    Absence.manager_id.in_(involved),
                    Absence.last_day >= first,
                    Absence.first_day <= last,
                )
            )
        ]
    return Timetable(slots, absences, one_offs, holidays(first, last))


def holidays(first: date, last: date) -> list[tuple[date, date]]:
    return [
        (row.first_day, row.last_day)
        for row in db.session.execute(
            select(Holiday.first_day, Holiday.last_day).where(
                Holiday.last_day >= first, Holiday.first_day <= last
            )
        )
    ]


def today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(BERLIN).date()


def refresh_plans(school_ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Work out and keep the coming weeks' plan of these schools (None: every school)."""
    first = today(now)
    last = first + timedelta(days=current_app.config["VISIT_PLAN_DAYS"])
    ids = school_ids
    if ids is None:
        ids = list(db.session.scalars(select(School.id)))
    refreshed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        timetable = load_timetable(first, last, school_ids=chunk)
        for school_id, plan in timetable.plans(chunk, first, last).items():
            db.session.execute(
                update(School).where(School.id == school_id).values(visit_plan=plan.dumps())
            )
            refreshed += 1
    return refreshed


def schools_of(manager_ids: set[int]) -> list[int]:
    """The schools whose plan depends on these managers (their visits and changes)."""
    visited = select(Visit.school_id).where(Visit.manager_id.in_(manager_ids))
    changed = select(VisitChange.school_id).where(VisitChange.manager_id.in_(manager_ids))
    return sorted(set(db.session.scalars(visited)) | set(db.session.scalars(changed)))


def plan_for(school: School, start: datetime, days: int = 28) -> Plan:
    """The school's plan from `start` for at least `days` days: the kept one if it reaches
    that far, otherwise one worked out now."""
    first = start.astimezone(BERLIN).date()
    if school.visit_plan:
        kept = Plan.loads(school.visit_plan, school.id)
        if kept.first <= first and first + timedelta(days=days) <= kept.last:
            return kept
    return worked_out(school.id, first, first + timedelta(days=days))


def worked_out(school_id: int, first: date, last: date) -> Plan:
    return load_timetable(first, last, school_ids=[school_id]).plan(school_id, first, last)


def who_visits(school_ids: list[int]) -> dict[int, list[int]]:
    """The managers with a weekly visit at each school."""
    found: dict[int, list[int]] = {}
    for school_id, manager_id in db.session.execute(
        select(Visit.school_id, Visit.manager_id)
        .where(Visit.school_id.in_(school_ids))
        .distinct()
        .order_by(Visit.school_id, Visit.manager_id)
    ):
        found.setdefault(school_id, []).append(manager_id)
    return found


def absence_touching(manager_id: int, first: date, last: date):
    """Absences of the manager, or ones the manager stands in for, in these days."""
    return select(Absence).where(
        or_(Absence.manager_id == manager_id, Absence.substitute_id == manager_id),
        Absence.last_day >= first,
        Absence.first_day <= last,
    )


def visits_of(manager: User, first: date, last: date) -> tuple[list[Occurrence], dict[int, str]]:
    """The manager's visits in these days, with the ones they make as a substitute, and
    the names of the managers they stand in for."""
    standing_in = db.session.scalars(absence_touching(manager.id, first, last)).all()
    others = {a.manager_id for a in standing_in if a.substitute_id == manager.id}
    timetable = load_timetable(first, last, manager_ids=[manager.id, *others])
    visits = [o for o in timetable.occurrences(first, last) if o.person_id == manager.id]
    names = {}
    if others:
        names = dict(
            db.session.execute(select(User.id, User.display_name).where(User.id.in_(others))).all()
        )
    return visits, names
