"""The administrators' start page: the first-level resolution rate of the last twelve
months with its trend, the open tickets by level and age, the oldest blocking tickets,
and a line of counts. Reads only, in a fixed number of statements however many tickets
there are: the months from the report facts, the backlog and the blocking tickets from
the open-ticket indexes."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, union_all

from campus.extensions import db
from campus.models import Campus, Device, Impact, School, Ticket, TicketStatus, User
from campus.reports.overview import backlog, months_chart
from campus.reports.period import Period, today_in_berlin
from campus.reports.sums import Scope, tickets_on_record_query
from campus.reports.trend import MonthChart

BLOCKING_SHOWN = 10


@dataclass(frozen=True)
class BlockingTicket:
    id: int
    number: int
    title: str
    level: int
    status: TicketStatus
    created_at: datetime
    school: str


@dataclass
class StartPage:
    period: Period
    chart: MonthChart
    backlog: dict[tuple[int, str], int]  # {(level, age band): open tickets}
    blocking: list[BlockingTicket]
    counts: dict[str, int]

    def open_at(self, level: int) -> int:
        return sum(n for (at_level, _band), n in self.backlog.items() if at_level == level)


def twelve_months(today: date) -> Period:
    """The twelve finished months before today's and the running month up to today."""
    return Period(date(today.year - 1, today.month, 1), today)


def oldest_blocking(scope: Scope, limit: int = BLOCKING_SHOWN) -> list[BlockingTicket]:
    """Open tickets of impact "blocking", oldest first: the oldest of each level read in
    the order of the open-ticket index (level, impact, created_at), then merged."""
    oldest = []
    for level in (1, 2):
        first = scope.apply(
            select(Ticket.id)
            .where(Ticket.is_open_clause(), Ticket.level == level, Ticket.impact == Impact.BLOCKING)
            .order_by(Ticket.created_at, Ticket.id)
            .limit(limit)
        ).subquery()
        oldest.append(select(first.c.id))
    ids = union_all(*oldest).subquery("oldest")
    query = (
        select(
            Ticket.id,
            Ticket.number,
            Ticket.title,
            Ticket.level,
            Ticket.status,
            Ticket.created_at,
            School.name,
        )
        .join(ids, ids.c.id == Ticket.id)
        .join(School, School.id == Ticket.school_id)
        .order_by(Ticket.created_at, Ticket.id)
        .limit(limit)
    )
    return [BlockingTicket(*row) for row in db.session.execute(query)]


def counts() -> dict[str, int]:
    """Campuses, schools, users, devices and tickets on record, in one statement."""

    def number(query):
        return query.scalar_subquery()

    row = db.session.execute(
        select(
            number(select(func.count(Campus.id))),
            number(select(func.count(School.id))),
            number(select(func.count(User.id)).where(User.pseudonymised_at.is_(None))),
            number(select(func.count(Device.id))),
            number(tickets_on_record_query()),
        )
    ).one()
    names = ("campuses", "schools", "users", "devices", "tickets")
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}


def start_page(scope: Scope, now: datetime) -> StartPage:
    period = twelve_months(today_in_berlin(now))
    return StartPage(
        period=period,
        chart=months_chart(period, scope, now),
        backlog=backlog(now, scope, now),
        blocking=oldest_blocking(scope),
        counts=counts(),
    )
