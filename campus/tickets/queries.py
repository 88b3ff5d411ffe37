"""Read-only ticket lists: the queues and "my tickets", always through the access filter."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Select, or_, select, union_all
from sqlalchemy.orm import joinedload

from campus.extensions import db
from campus.formhelpers import db_int, optional_int
from campus.models import (
    OPEN_STATUSES,
    Campus,
    Category,
    Device,
    EventKind,
    Impact,
    InternWork,
    School,
    Ticket,
    TicketEvent,
    TicketStatus,
    User,
    utcnow,
)
from campus.permissions import (
    is_admin,
    level_two_staff,
    managers,
    manages_a_campus,
    report_campus_ids,
    visible_schools,
    visible_tickets,
    works_at_level_two,
)
from campus.privacy.settings import manager_figures_allowed
from campus.timetable.schedule import BERLIN

SORTS = ("impact", "age", "newest")
FEW_DEVICES = 20  # same-model devices read one by one (see same_model_history)
PAGE_ARGS = ("after", "before", "page")


@dataclass
class TicketFilter:
    """What a queue shows; empty fields filter nothing."""

    status: str = ""  # a status, or "open" for every open status
    level: int | None = None
    campus_id: int | None = None
    school_id: int | None = None
    category: str = ""
    impact: str = ""
    assignee: str = ""  # a user id, "mine" or "none"
    older_than_days: int | None = None
    due: str = ""  # "today" (due later today) or "overdue"
    proposal: str = ""  # "mine": an intern's proposal waits for my approval
    q: str = ""
    sort: str = "impact"


def default_filter(user: User) -> TicketFilter:
    """Each role's first view: managers their open level-1 work, the system house its queue."""
    if manages_a_campus(user):
        return TicketFilter(status="open", level=1)
    if works_at_level_two(user):
        return TicketFilter(status="open", level=2)
    return TicketFilter(sort="newest")


def ticket_query(user: User, f: TicketFilter, now: datetime | None = None) -> Select:
    """The tickets `user` may see, filtered (sorted by SORT_COLUMNS[f.sort])."""
    query = visible_tickets(user, select(Ticket))
    if f.status == "open":
        query = query.where(Ticket.is_open_clause())
    elif f.status in set(TicketStatus):
        query = query.where(Ticket.status == f.status)
    if f.level in (1, 2):
        query = query.where(Ticket.level == f.level)
    if f.campus_id:
        query = query.where(Ticket.campus_id == f.campus_id)
    if f.school_id:
        query = query.where(Ticket.school_id == f.school_id)
    if f.category:
        query = query.where(Ticket.category == f.category)
    if f.impact:
        query = query.where(Ticket.impact == f.impact)
    if f.assignee == "mine":
        query = query.where(Ticket.assignee_id == user.id)
    elif f.assignee == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif (assignee_id := optional_int(f.assignee)) is not None:
        query = query.where(Ticket.assignee_id == assignee_id)
    if f.older_than_days:
        query = query.where(
            Ticket.created_at
            <= (now or utcnow()) - timedelta(days=max(1, min(f.older_than_days, MAX_AGE_DAYS)))
        )
    if f.proposal == "mine":
        waiting = select(InternWork.ticket_id).where(
            InternWork.supervisor_id == user.id, InternWork.proposal.is_not(None)
        )
        query = query.where(Ticket.id.in_(waiting))
    if f.due in DUE_FILTERS:
        query = _due(query, f.due, now or utcnow())
    if f.q:
        term = f.q.strip().lstrip("#")
        literal = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions = [Ticket.title.ilike(f"%{literal}%", escape="\\")]
        if (number := optional_int(term)) is not None:
            conditions.append(Ticket.number == number)
        query = query.where(or_(*conditions))
    return query


DUE_FILTERS = ("today", "overdue")


def _due(query: Select, due: str, now: datetime) -> Select:
    """Open tickets (not waiting for the teacher) whose next due date is past, or falls
    later today (Berlin)."""
    query = query.where(Ticket.is_open_clause(), Ticket.status != TicketStatus.WAITING)
    next_due = Ticket.next_due_clause()
    if due == "overdue":
        return query.where(next_due < now)
    return query.where(next_due >= now, next_due < end_of_day(now))


def end_of_day(now: datetime) -> datetime:
    """Midnight after `now`, in Berlin."""
    return datetime.combine(now.astimezone(BERLIN).date() + timedelta(days=1), time(0), BERLIN)


# Each sort as columns that one index range can serve, for keyset pagination. The impact
# values sort alphabetically in their order of urgency: blocking, impaired, minor.
SORT_COLUMNS = {
    "impact": ([Ticket.impact, Ticket.created_at, Ticket.id], False),
    "age": ([Ticket.created_at, Ticket.id], False),
    "newest": ([Ticket.created_at, Ticket.id], True),
}
# What a list row shows, joined into the page's one query (each is one row by key).
LIST_OPTIONS = (
    joinedload(Ticket.school).defer(School.visit_plan),
    joinedload(Ticket.device),
    joinedload(Ticket.assignee),
)


def _history(user: User, *conditions, limit: int) -> list:
    """Tickets for a history list, newest first, as light rows (id, number, title,
    created_at, status, inventory_number, solution): one query, no objects to build."""
    solution = (
        select(TicketEvent.text)
        .where(TicketEvent.ticket_id == Ticket.id, TicketEvent.kind == EventKind.RESOLVED)
        .order_by(TicketEvent.id.desc())
        .limit(1)
        .correlate(Ticket)
        .scalar_subquery()
    )
    query = (
        select(
            Ticket.id,
            Ticket.number,
            Ticket.title,
            Ticket.created_at,
            Ticket.status,
            Device.inventory_number,
            solution.label("solution"),
        )
        .outerjoin(Device, Device.id == Ticket.device_id)
        .where(*conditions)
        .order_by(Ticket.created_at.desc())
        .limit(limit)
    )
    return list(db.session.execute(visible_tickets(user, query)))


def device_history(user: User, ticket: Ticket, limit: int = 10) -> list:
    """Earlier tickets about the same device that `user` may see, newest first."""
    if ticket.device_id is None:
        return []
    return _history(
        user,
        Ticket.device_id == ticket.device_id,
        Ticket.id != ticket.id,
        Ticket.created_at <= ticket.created_at,
        limit=limit,
    )


def device_tickets(user: User, device: Device, limit: int = 20) -> list:
    """The device's tickets that `user` may see, newest first (the device page)."""
    return _history(user, Ticket.device_id == device.id, limit=limit)


def same_model_history(user: User, device: Device, limit: int = 10) -> list:
    """Tickets about other devices of the same model at the same school, newest first.

    With a few such devices, each one's newest tickets come from its own index range;
    with many, the school's tickets are read newest first until enough are about one of
    them (they are then common). Either way a page never reads a year of tickets."""
    if not device.model:
        return []
    others = list(
        db.session.scalars(
            select(Device.id)
            .where(
                Device.school_id == device.school_id,
                Device.model == device.model,
                Device.id != device.id,
            )
            .limit(FEW_DEVICES + 1)
        )
    )
    if not others:
        return []
    if len(others) <= FEW_DEVICES:
        newest = [
            select(Ticket.id)
            .where(Ticket.device_id == other)
            .order_by(Ticket.created_at.desc())
            .limit(limit)
            .subquery()
            for other in others
        ]
        candidates = union_all(*[select(part.c.id) for part in newest])
        return _history(user, Ticket.id.in_(candidates), limit=limit)
    same_model = select(Device.id).where(
        Device.school_id == device.school_id, Device.model == device.model, Device.id != device.id
    )
    return _history(
        user, Ticket.school_id == device.school_id, Ticket.device_id.in_(same_model), limit=limit
    )


def counts_by_person(user: User, assignee, status) -> bool:
    """Filtering by another person's tickets beyond those open now would count their work:
    only while figures per campus manager are switched on."""
    other = optional_int(str(assignee)) not in (None, user.id)
    still_open = status == "open" or status in {s.value for s in OPEN_STATUSES}
    return not other or still_open or manager_figures_allowed()


def filter_from_args(args, user: User) -> TicketFilter:
    """The filter a queue URL asks for; no arguments at all give the role's default view
    (a page link of the default view carries only its position)."""
    if all(name in PAGE_ARGS for name in args):
        return default_filter(user)
    sort = args.get("sort", "impact")
    status = args.get("status", "")
    level = args.get("level", type=db_int)
    older = args.get("older", type=db_int)
    assignee = args.get("assignee", "")
    if not counts_by_person(user, assignee, status):
        assignee = ""  # who holds what now, yes; what someone finished, not (co-determination)
    # Only what the query understands: a value it would ignore is no filter (and no chip).
    return TicketFilter(
        status=status if status == "open" or status in STATUSES else "",
        level=level if level in (1, 2) else None,
        campus_id=args.get("campus", type=db_int),
        school_id=args.get("school", type=db_int),
        category=_known(args.get("category", ""), Category),
        impact=_known(args.get("impact", ""), Impact),
        assignee=assignee if assignee in ("mine", "none") or optional_int(assignee) else "",
        older_than_days=older if older and 0 < older <= MAX_AGE_DAYS else None,
        due=args.get("due", "") if args.get("due") in DUE_FILTERS else "",
        proposal="mine" if args.get("proposal") == "mine" else "",
        q=args.get("q", "")[:100],
        sort=sort if sort in SORTS else "impact",
    )


STATUSES = frozenset(TicketStatus)
MAX_AGE_DAYS = 36_500


def _known(value: str, codes) -> str:
    return value if value in set(codes) else ""


# More schools than this in the filter bar (a city's admin sees 1,000): the bar lists the
# chosen campus's schools and asks for a campus first.
SCHOOL_CHOICES_MAX = 100


def filter_options(user: User, f: TicketFilter | None = None) -> dict:
    """The choices in the filter bar, limited to what the user can see (ids and names
    only: the bar needs no whole rows)."""
    people = select(User.id, User.display_name).order_by(User.display_name)
    if manages_a_campus(user):
        colleagues = managers(people).where(
            User.managed_campuses.any(Campus.id.in_(user.campus_ids))
        )
    elif works_at_level_two(user) or is_admin(user):
        colleagues = level_two_staff(people)
    else:
        colleagues = None
    campus_ids = report_campus_ids(user) if manages_a_campus(user) else None
    campuses_query = select(Campus.id, Campus.name).order_by(Campus.name)
    if campus_ids is not None:
        campuses_query = campuses_query.where(Campus.id.in_(campus_ids))
    schools_query = visible_schools(user, select(School.id, School.name).order_by(School.name))
    if f is not None and f.campus_id:
        schools_query = schools_query.where(School.campus_id == f.campus_id)
    schools = db.session.execute(schools_query.limit(SCHOOL_CHOICES_MAX + 1)).all()
    too_many = len(schools) > SCHOOL_CHOICES_MAX
    if too_many:  # only the chosen one, if any: the rest after a campus is chosen
        schools = [s for s in schools if f is not None and s.id == f.school_id]
        if f is not None and f.school_id and not schools:
            schools = db.session.execute(schools_query.where(School.id == f.school_id)).all()
    return {
        "schools": schools,
        "schools_need_campus": too_many,
        "campuses": db.session.execute(campuses_query).all(),
        "assignees": db.session.execute(colleagues).all() if colleagues is not None else [],
    }
