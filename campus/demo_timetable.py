"""The demo's visit timetable: each manager visits each school of their campus once or
twice a week (mornings 8-12, afternoons 12:30-15); the NRW school holidays and public
holidays of the school years 2025/26 and 2026/27; one illness with a substitute and
one swapped day in the coming weeks. Built with the same services as the pages."""

from datetime import date, time, timedelta
from pathlib import Path

from campus.models import School, User
from campus.timetable.holidays import read_calendar, save_imported
from campus.timetable.services import add_absence, add_visit, change_day

NRW_HOLIDAYS = Path(__file__).resolve().parent / "data" / "ferien-nrw.ics"
MORNING, AFTERNOON = (time(8), time(12)), (time(12, 30), time(15))


def half_days() -> list[tuple[int, tuple[time, time]]]:
    """Mornings Monday to Friday, then afternoons from Wednesday on: a school's two
    visits fall on different days."""
    afternoons = [(day % 5, AFTERNOON) for day in range(2, 7)]
    return [(day, MORNING) for day in range(5)] + afternoons


def plan_demo_week(admin: User, manager: User, schools: list[School]) -> None:
    slots = half_days()[: min(10, 2 * len(schools))]
    for index, (weekday, (starts, ends)) in enumerate(slots):
        school = schools[index % len(schools)]
        add_visit(admin, manager, school_id=school.id, weekday=weekday, starts=starts, ends=ends)


def seed_timetable(admin: User, managers: list[User], schools_of: dict, today: date) -> None:
    save_imported(admin, read_calendar(NRW_HOLIDAYS.read_bytes(), today))
    for manager in managers:
        plan_demo_week(admin, manager, schools_of[manager.id])
    # The second manager is ill for three days next week; the third stands in.
    next_monday = today + timedelta(days=7 - today.weekday())
    add_absence(
        admin,
        managers[1],
        first_day=next_monday + timedelta(days=1),
        last_day=next_monday + timedelta(days=3),
        reason="illness",
        substitute_id=managers[2].id,
    )
    # The first manager swaps next Wednesday's morning visit for Friday of the same week.
    first = schools_of[managers[0].id][2]
    change_day(
        admin,
        managers[0],
        school_id=first.id,
        day=next_monday + timedelta(days=2),
        to_day=next_monday + timedelta(days=4),
        kind="moved",
        note="Fortbildung am Mittwoch",
    )


def generated_visits(schools: list[dict], managers_of: dict[int, list[int]], now) -> list[dict]:
    """`flask campus generate`: each campus's first manager visits its schools on the
    demo's half days (a campus of more than ten schools leaves the rest without visits:
    their due dates go by working hours)."""
    by_campus: dict[int, list[dict]] = {}
    for school in schools:
        by_campus.setdefault(school["campus_id"], []).append(school)
    visits = []
    for campus_id, members in by_campus.items():
        slots = half_days()[: min(10, 2 * len(members))]
        for index, (weekday, (starts, ends)) in enumerate(slots):
            visits.append(
                {
                    "manager_id": managers_of[campus_id][0],
                    "school_id": members[index % len(members)]["id"],
                    "weekday": weekday,
                    "starts": starts,
                    "ends": ends,
                    "created_at": now,
                }
            )
    return visits
