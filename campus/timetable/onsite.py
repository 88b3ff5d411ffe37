"""Who looks after a school and when they are next there; "on site now" from the day plan."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus.exceptions import NotAllowed
from campus.extensions import db
from campus.models import School, SiteVisit, User, utcnow
from campus.permissions import looks_after_school, managers, manages_a_campus
from campus.timetable.plans import load_timetable, plan_for, today, who_visits
from campus.timetable.schedule import Occurrence

# A recorded "on site now" shows in the day plan for this long.
ON_SITE_HOURS = 4


@dataclass
class NextOnSite:
    """What the teacher is told: who looks after her school, when they are next there."""

    caretakers: list[str] = field(default_factory=list)  # names
    visit: Occurrence | None = None
    person: str = ""  # who comes
    standing_in_for: str = ""  # whose visit it is, when a substitute comes
    here_now: bool = False


def next_on_site(school: School, now: datetime | None = None) -> NextOnSite:
    now = now or utcnow()
    plan = plan_for(school, now)
    visit = plan.next_visit(now)
    found = NextOnSite(visit=visit)
    ids = {visit.person_id, visit.manager_id} if visit else set()
    ids |= set(who_visits([school.id]).get(school.id, []))
    if not ids:
        found.caretakers = [
            name
            for (name,) in db.session.execute(
                managers(select(User.display_name))
                .where(User.managed_campuses.any(id=school.campus_id), User.active.is_(True))
                .order_by(User.display_name)
            )
        ]
        return found
    names = dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )
    regular = [
        i
        for i in sorted(ids, key=lambda i: names.get(i, ""))
        if visit is None or i != visit.person_id
    ]
    found.caretakers = [names[i] for i in regular if i in names]
    if visit is not None:
        found.person = names.get(visit.person_id, "")
        if visit.by_substitute:
            found.standing_in_for = names.get(visit.manager_id, "")
        found.here_now = visit.starts <= now < visit.ends
        found.caretakers = [found.standing_in_for or found.person] + [
            n for n in found.caretakers if n not in (found.person, found.standing_in_for)
        ]
    return found


def record_on_site(manager: User, school_id: int, now: datetime | None = None) -> SiteVisit:
    """The manager says "on site now" at a school of theirs (or one they stand in for)."""
    school = db.session.get(School, school_id)
    if school is None or not manages_a_campus(manager) or not _there_today(manager, school):
        raise NotAllowed(_l("You do not look after this school."))
    visit = SiteVisit(manager_id=manager.id, school_id=school.id, arrived_at=now or utcnow())
    db.session.add(visit)
    db.session.flush()
    return visit


def _there_today(manager: User, school: School) -> bool:
    """A school the manager looks after, or one they visit today as a substitute."""
    if looks_after_school(manager, school):
        return True
    day = today()
    timetable = load_timetable(day, day, school_ids=[school.id])
    return any(v.person_id == manager.id for v in timetable.occurrences(day, day))


def on_site_since(manager_id: int, school_ids: list[int], now: datetime) -> dict[int, datetime]:
    """When the manager said "on site now" at each of these schools in the last hours."""
    since = now - timedelta(hours=ON_SITE_HOURS)
    found: dict[int, datetime] = {}
    for school_id, arrived in db.session.execute(
        select(SiteVisit.school_id, SiteVisit.arrived_at).where(
            SiteVisit.manager_id == manager_id,
            SiteVisit.school_id.in_(school_ids),
            SiteVisit.arrived_at >= since,
        )
    ):
        found[school_id] = max(arrived, found.get(school_id, arrived))
    return found
