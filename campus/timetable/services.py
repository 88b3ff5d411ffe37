"""Keeping the timetable: visits, absences, one-off changes, holidays, the calendar feed's
key. Each change records TimetableChanged; its handler refreshes the schools' plans and
the due dates that wait for a visit (campus/handlers.py)."""

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus.events import TimetableChanged
from campus.exceptions import ErrorCollector, InvalidInput, NotAllowed
from campus.extensions import db
from campus.models import (
    Absence,
    AbsenceReason,
    ChangeKind,
    School,
    User,
    Visit,
    VisitChange,
    utcnow,
)
from campus.permissions import can_plan_visits, looks_after_school, manages_a_campus
from campus.timetable.plans import schools_of
from campus.timetable.plans import today as plans_today
from campus.unit_of_work import record

EARLIEST, LATEST = time(6, 0), time(20, 0)
LONGEST_ABSENCE = 366  # days
WEEKDAYS = range(6)  # Monday to Saturday: schools are closed on Sundays
NOTE_MAX = 200


def require_planner(actor: User, manager: User) -> None:
    if not can_plan_visits(actor, manager):
        raise NotAllowed(
            _l("Only the campus manager and administrators may change this timetable.")
        )


def changed(school_ids, now: datetime | None = None) -> None:
    ids = None if school_ids is None else tuple(sorted(set(school_ids)))
    record(TimetableChanged(at=now or utcnow(), school_ids=ids))


def check_day(problems: ErrorCollector, field: str, day: date | None, years: int = 2) -> None:
    """A day the timetable can mean: not more than `years` ahead (nor as far back)."""
    today = plans_today()
    if day is not None and not today.replace(year=today.year - years) <= day <= today.replace(
        year=today.year + years
    ):
        problems.add(field, _l("Please choose a day within %(n)d years from today.", n=years))


def check_span(
    problems: ErrorCollector, first: date | None, last: date | None, longest: int, too_long
) -> bool:
    """First and last day given, in order, and fewer than `longest` days apart; True if
    so (the caller may check more)."""
    if first is None:
        problems.add("first_day", _l("Please give the first day."))
    if last is None:
        problems.add("last_day", _l("Please give the last day."))
    if first is None or last is None:
        return False
    if last < first:
        problems.add("last_day", _l("The last day cannot lie before the first."))
    elif (last - first).days >= longest:
        problems.add("last_day", too_long)
    else:
        return True
    return False


def check_times(problems: ErrorCollector, starts: time | None, ends: time | None) -> None:
    if starts is None:
        problems.add("starts", _l("Please give the time the visit starts."))
    if ends is None:
        problems.add("ends", _l("Please give the time the visit ends."))
    if starts is None or ends is None:
        return
    if not starts < ends:
        problems.add("ends", _l("The visit must end after it starts."))
    elif starts < EARLIEST or ends > LATEST:
        problems.add("starts", _l("Visits lie between 6:00 and 20:00."))


def _school_of(manager: User, school_id: int | None, problems: ErrorCollector) -> School | None:
    school = db.session.get(School, school_id) if school_id else None
    if school is None:
        problems.add("school_id", _l("Please choose a school."))
    elif not looks_after_school(manager, school):
        problems.add(
            "school_id",
            _l("This school is not on a campus of %(name)s.", name=manager.display_name),
        )
        return None
    return school


def _overlapping(manager: User, weekday: int, starts: time, ends: time) -> Visit | None:
    return db.session.scalar(
        select(Visit).where(
            Visit.manager_id == manager.id,
            Visit.weekday == weekday,
            Visit.starts < ends,
            Visit.ends > starts,
        )
    )


# --- the weekly visits -----------------------------------------------------------------


def add_visit(
    actor: User,
    manager: User,
    *,
    school_id: int | None,
    weekday: int | None,
    starts: time | None,
    ends: time | None,
) -> Visit:
    require_planner(actor, manager)
    problems = ErrorCollector()
    school = _school_of(manager, school_id, problems)
    if weekday not in WEEKDAYS:
        problems.add("weekday", _l("Please choose a weekday."))
    check_times(problems, starts, ends)
    problems.raise_if_any()
    clash = _overlapping(manager, weekday, starts, ends)
    if clash is not None:
        raise InvalidInput(
            _l(
                "%(name)s is already at %(school)s then.",
                name=manager.display_name,
                school=clash.school.short_name or clash.school.name,
            ),
            field="starts",
        )
    visit = Visit(
        manager_id=manager.id, school_id=school.id, weekday=weekday, starts=starts, ends=ends
    )
    db.session.add(visit)
    db.session.flush()
    changed([school.id])
    return visit


# --- absences ------------------------------------------------------------------------------


def add_absence(
    actor: User,
    manager: User,
    *,
    first_day: date | None,
    last_day: date | None,
    reason: str,
    substitute_id: int | None = None,
    note: str = "",
) -> Absence:
    require_planner(actor, manager)
    problems = ErrorCollector()
    too_long = _l("An absence lasts at most a year.")
    if check_span(problems, first_day, last_day, LONGEST_ABSENCE, too_long):
        if last_day < plans_today():
            problems.add(
                "last_day",
                _l("This absence is over already: it must last until today or later."),
            )
        else:
            check_day(problems, "last_day", last_day)
    if reason not in set(AbsenceReason):
        problems.add("reason", _l("Please choose a reason."))
    substitute = None
    if substitute_id:
        substitute = db.session.get(User, substitute_id)
        if substitute is None or not manages_a_campus(substitute) or not substitute.active:
            problems.add("substitute_id", _l("A substitute must be an active campus manager."))
        elif substitute.id == manager.id:
            problems.add("substitute_id", _l("Nobody can stand in for themselves."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        problems.add("note", _l("Please keep the note under %(n)d characters.", n=NOTE_MAX))
    problems.raise_if_any()
    absence = Absence(
        manager_id=manager.id,
        first_day=first_day,
        last_day=last_day,
        reason=reason,
        substitute_id=substitute.id if substitute else None,
        note=note,
    )
    db.session.add(absence)
    db.session.flush()
    changed(schools_of({manager.id}))
    return absence


# --- one-off changes -------------------------------------------------------------------


def change_day(
    actor: User,
    manager: User,
    *,
    school_id: int | None,
    day: date | None,
    to_day: date | None = None,
    starts: time | None = None,
    ends: time | None = None,
    kind: str = ChangeKind.CANCELLED,
    note: str = "",
) -> list[VisitChange]:
    """Cancel the regular visit at a school on `day`, add an extra one, or move (swap) it
    to `to_day` (a cancelled visit and an extra one, in one step)."""
    require_planner(actor, manager)
    problems = ErrorCollector()
    school = _school_of(manager, school_id, problems)
    if day is None:
        problems.add("day", _l("Please give the day."))
    if kind not in set(ChangeKind) and kind != "moved":
        problems.add("kind", _l("Please choose what changes."))
    regular = None
    if school is not None and day is not None and kind in (ChangeKind.CANCELLED, "moved"):
        regular = db.session.scalar(
            select(Visit)
            .where(
                Visit.manager_id == manager.id,
                Visit.school_id == school.id,
                Visit.weekday == day.weekday(),
            )
            .order_by(Visit.starts)
            .limit(1)
        )
        if regular is None:
            problems.add(
                "day",
                _l(
                    "There is no visit to %(school)s on that day.",
                    school=school.short_name or school.name,
                ),
            )
    if kind == "moved" and to_day is None:
        problems.add("to_day", _l("Please give the day the visit moves to."))
    if kind in (ChangeKind.EXTRA, "moved"):
        if regular is not None:
            starts, ends = starts or regular.starts, ends or regular.ends
        check_times(problems, starts, ends)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        problems.add("note", _l("Please keep the note under %(n)d characters.", n=NOTE_MAX))
    today = plans_today()
    for field, value in (("day", day), ("to_day", to_day)):
        if value is not None and value < today - timedelta(days=1):
            problems.add(field, _l("Please choose a day from today on."))
        else:
            check_day(problems, field, value)
    problems.raise_if_any()
    made = []
    if kind in (ChangeKind.CANCELLED, "moved"):
        made.append(
            VisitChange(
                manager_id=manager.id,
                school_id=school.id,
                day=day,
                kind=ChangeKind.CANCELLED,
                starts=regular.starts,
                ends=regular.ends,
                note=note,
            )
        )
    if kind in (ChangeKind.EXTRA, "moved"):
        made.append(
            VisitChange(
                manager_id=manager.id,
                school_id=school.id,
                day=to_day if kind == "moved" else day,
                kind=ChangeKind.EXTRA,
                starts=starts,
                ends=ends,
                note=note,
            )
        )
    db.session.add_all(made)
    db.session.flush()
    changed([school.id])
    return made


def remove_entry(actor: User, entry: Visit | Absence | VisitChange) -> None:
    """Take a weekly visit, an absence or a one-off change out of the timetable."""
    require_planner(actor, entry.manager)
    schools = schools_of({entry.manager_id}) if isinstance(entry, Absence) else [entry.school_id]
    db.session.delete(entry)
    db.session.flush()
    changed(schools)
