"""What frames the queue: each role's tabs with their counts, and the active filters as
chips that each remove one filter."""

from dataclasses import dataclass, fields, replace
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from campus.extensions import db
from campus.labels import label
from campus.models import Ticket, User
from campus.permissions import manages_a_campus, works_at_level_two
from campus.tickets.queries import TicketFilter, ticket_query

# A tab counts up to this many and then says "999+": the count stays an index range read.
COUNT_CAP = 999


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    filter: TicketFilter
    hide_empty: bool = False  # shown only while it holds tickets (or is the view)


def queue_tabs(user: User) -> list[Tab]:
    """The views each support role works from, in the order they use them."""
    mine = TicketFilter(status="open", assignee="mine")
    if manages_a_campus(user):
        return [
            Tab("level1", _l("On site"), TicketFilter(status="open", level=1)),
            Tab("mine", _l("Mine"), mine),
            Tab("level2", _l("System house"), TicketFilter(status="open", level=2)),
            Tab("resolved", _l("To confirm"), TicketFilter(status="resolved")),
            Tab("today", _l("Due today"), TicketFilter(due="today")),
            Tab("overdue", _l("Overdue"), TicketFilter(due="overdue")),
            # Supervisors of pupil interns: the proposals waiting for their approval.
            Tab("approval", _l("To approve"), TicketFilter(proposal="mine"), hide_empty=True),
        ]
    if works_at_level_two(user):
        return [
            Tab("level2", _l("Open"), TicketFilter(status="open", level=2)),
            Tab("mine", _l("Mine"), mine),
            Tab("today", _l("Due today"), TicketFilter(level=2, due="today")),
            Tab("overdue", _l("Overdue"), TicketFilter(level=2, due="overdue")),
        ]
    return []


def active_tab(tabs: list[Tab], f: TicketFilter) -> Tab | None:
    """The tab the filter narrows (its filter plus, perhaps, more): the most specific one,
    the first of equals. The sort order does not count."""
    best, best_fields = None, -1
    for tab in tabs:
        said = _said(tab.filter)
        narrows = all(getattr(f, name) == value for name, value in said.items())
        if narrows and len(said) > best_fields:
            best, best_fields = tab, len(said)
    return best


def _said(f: TicketFilter) -> dict:
    """The fields a filter sets (sort aside)."""
    return {
        field.name: getattr(f, field.name)
        for field in fields(f)
        if field.name != "sort" and getattr(f, field.name) != field.default
    }


def tab_counts(user: User, tabs: list[Tab], now: datetime) -> dict[str, int]:
    """How many tickets each tab holds (at most COUNT_CAP + 1), in one query."""
    if not tabs:
        return {}
    counts = [
        select(func.count())
        .select_from(
            ticket_query(user, tab.filter, now)
            .with_only_columns(Ticket.id)
            .limit(COUNT_CAP + 1)
            .subquery()
        )
        .scalar_subquery()
        for tab in tabs
    ]
    row = db.session.execute(select(*counts)).one()
    return {tab.key: count for tab, count in zip(tabs, row, strict=True)}


# The URL argument of each filter field (see queries.filter_from_args).
ARG_NAMES = {
    "status": "status",
    "level": "level",
    "campus_id": "campus",
    "school_id": "school",
    "category": "category",
    "impact": "impact",
    "assignee": "assignee",
    "older_than_days": "older",
    "due": "due",
    "proposal": "proposal",
    "q": "q",
    "sort": "sort",
}


def filter_args(f: TicketFilter) -> dict:
    """The URL arguments that give `f` (the inverse of queries.filter_from_args)."""
    args = {ARG_NAMES[field.name]: getattr(f, field.name) for field in fields(f)}
    args = {name: value for name, value in args.items() if value not in ("", None)}
    if args.get("sort") == "impact" and len(args) > 1:
        del args["sort"]  # the default order
    return args


@dataclass(frozen=True)
class Chip:
    text: str
    args: dict  # the queue's URL arguments without this filter


def filter_chips(f: TicketFilter, tab: Tab | None, names: dict) -> list[Chip]:
    """One chip per filter that the active tab does not already say. `names` gives the
    display names of campuses, schools and people by id (from the filter bar's choices)."""
    chips = []
    for field in fields(f):
        if field.name == "sort":
            continue
        value = getattr(f, field.name)
        if value in ("", None) or (tab is not None and getattr(tab.filter, field.name) == value):
            continue
        rest = filter_args(replace(f, **{field.name: field.default}))
        chips.append(Chip(_chip_text(field.name, value, names), rest or {"status": ""}))
    return chips


def _chip_text(name: str, value, names: dict) -> str:
    if name == "status":
        return str(_l("Open")) if value == "open" else label("status", value)
    if name == "level":
        return label("level", value)
    if name in ("campus_id", "school_id"):
        kind = _l("Campus") if name == "campus_id" else _l("School")
        return names.get((name, value), f"{kind} #{value}")
    if name in ("category", "impact"):
        return label(name, value)
    if name == "assignee":
        special = {"mine": _l("Assigned to me"), "none": _l("Nobody yet")}
        if value in special:
            return str(special[value])
        return names.get(("assignee", value), f"{_l('Assignee')} #{value}")
    if name == "older_than_days":
        return ngettext("older than %(num)s day", "older than %(num)s days", value)
    if name == "due":
        return str(_l("Due today") if value == "today" else _l("Overdue"))
    if name == "proposal":
        return str(_l("Waiting for my approval"))
    return f"„{value}“"  # the search term
