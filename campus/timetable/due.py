"""Due dates that follow the timetable.

- First response: by the end of the school's next visit (one with at least
  DUE_VISIT_GRACE_MINUTES still to go), made by its manager or a substitute; for a blocking
  fault ("the lesson cannot go on") within DUE_BLOCKING_RESPONSE_HOURS working hours, as
  the manager is told at once and may come earlier; at a school without visits within
  DUE_RESPONSE_HOURS working hours.
- Resolution: within DUE_RESOLUTION_HOURS[impact] working hours.
Working hours are DUE_WORKING_HOURS on DUE_WORKING_DAYS, Berlin time; holidays stop the
clock. Due dates are set when a ticket is filed; a change to the timetable moves the first
response of the school's open tickets that have none yet and are not overdue (a change
made afterwards never turns a missed due date into a kept one).
"""

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from campus.extensions import db
from campus.models import Impact, School, Ticket, utcnow
from campus.timetable.plans import LONGEST, load_timetable, plan_for, today, worked_out
from campus.timetable.schedule import BERLIN, Plan, WorkingHours


def working_hours() -> WorkingHours:
    config = current_app.config
    return WorkingHours.parse(config["DUE_WORKING_HOURS"], str(config["DUE_WORKING_DAYS"]))


def _after_hours(plan: Plan, school_id: int, start: datetime, hours: float) -> datetime | None:
    """`hours` working hours after `start`; a longer plan is worked out if needed."""
    hours_of = working_hours()
    found = plan.add_working_hours(start, hours, hours_of)
    if found is None:
        first = start.astimezone(BERLIN).date()
        longer = worked_out(school_id, first, first + timedelta(days=LONGEST))
        found = longer.add_working_hours(start, hours, hours_of)
    return found


def respond_by(plan: Plan, school_id: int, impact: str, filed: datetime) -> datetime | None:
    config = current_app.config
    if impact == Impact.BLOCKING:
        return _after_hours(plan, school_id, filed, config["DUE_BLOCKING_RESPONSE_HOURS"])
    grace = timedelta(minutes=config["DUE_VISIT_GRACE_MINUTES"])
    visit = plan.next_visit(filed, grace)
    if visit is not None:
        return visit.ends.astimezone(UTC)
    return _after_hours(plan, school_id, filed, config["DUE_RESPONSE_HOURS"])


def resolve_by(plan: Plan, school_id: int, impact: str, filed: datetime) -> datetime | None:
    hours = current_app.config["DUE_RESOLUTION_HOURS"].get(str(impact))
    if hours is None:
        return None
    return _after_hours(plan, school_id, filed, hours)


def set_due_dates(ticket: Ticket, school: School) -> None:
    """A new ticket's due dates (before its first flush: no statement of its own when the
    school's kept plan reaches far enough)."""
    filed = ticket.created_at
    plan = plan_for(school, filed)
    ticket.respond_by = respond_by(plan, school.id, ticket.impact, filed)
    ticket.resolve_by = resolve_by(plan, school.id, ticket.impact, filed)


def move_first_responses(school_ids: list[int] | None) -> int:
    """The timetable of these schools changed: open tickets without a first response get
    the due date of the new timetable (a blocking one keeps its working hours). Returns how
    many moved (None: every school's)."""
    if school_ids is not None and not school_ids:
        return 0
    query = select(Ticket)
    if school_ids is not None:
        query = query.where(Ticket.school_id.in_(school_ids))
    waiting: dict[int, list[Ticket]] = {}
    for ticket in db.session.scalars(
        query.where(
            Ticket.is_open_clause(),
            Ticket.first_response_at.is_(None),
            Ticket.impact != Impact.BLOCKING,
        )
    ):
        waiting.setdefault(ticket.school_id, []).append(ticket)
    moved = 0
    now = utcnow()
    ids = sorted(waiting)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        first = min(t.created_at for i in chunk for t in waiting[i]).astimezone(BERLIN).date()
        last = max(first, today(now)) + timedelta(days=LONGEST)
        plans = load_timetable(first, last, school_ids=chunk).plans(chunk, first, last)
        for school_id in chunk:
            for ticket in waiting[school_id]:
                if ticket.respond_by is not None and ticket.respond_by <= now:
                    continue  # overdue stays overdue: a later change never rescues it
                due = respond_by(plans[school_id], school_id, ticket.impact, ticket.created_at)
                if due != ticket.respond_by:
                    ticket.respond_by = due
                    moved += 1
    return moved
