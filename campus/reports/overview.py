"""The whole reports page: summary, breakdowns, monthly trend and the backlog."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal, literal_column, or_, select
from sqlalchemy.orm import aliased

from campus.extensions import db
from campus.models import OPEN_STATUSES, Ticket, TicketEvent
from campus.reports.period import BERLIN, Period
from campus.reports.queries import (
    GROUPINGS,
    ResolutionRow,
    Scope,
    breakdown,
    first_level_resolution_rate,
)

AGE_BANDS = ((1, "under_1_day"), (3, "1_to_3_days"), (7, "3_to_7_days"), (30, "7_to_30_days"))
OLDEST_BAND = "over_30_days"
# A page shows at most this many rows per breakdown (the groups with the most tickets);
# a city of a thousand schools reads the rest in the CSV export.
ROW_LIMIT = 100


def monthly_trend(rows: list[ResolutionRow]) -> float | None:
    """Slope of the monthly FLR in percentage points per month (least squares), or None."""
    points = [(i, row.flr * 100) for i, row in enumerate(rows) if row.flr is not None]
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else None


def _age_band(at: datetime):
    return case(
        *[
            (Ticket.created_at > at - timedelta(days=days), literal(name))
            for days, name in AGE_BANDS
        ],
        else_=literal(OLDEST_BAND),
    )


def backlog(at: datetime, scope: Scope, now: datetime | None = None) -> dict[tuple[int, str], int]:
    """Open tickets at the instant `at`, by level and age band: {(level, band): count}.

    For a past instant, the state is the one the ticket's last event before `at` set,
    so a ticket closed (or reopened) later is counted as it stood then. For now, the
    tickets' current state answers directly, from the queue indexes.
    """
    if now is not None and at >= now:
        query = scope.apply(
            select(Ticket.level, _age_band(at).label("band"), func.count().label("n"))
            .where(Ticket.is_open_clause(), Ticket.created_at < at)
            .group_by(Ticket.level, literal_column("band"))
        )
        return {(level, band): n for level, band, n in db.session.execute(query)}
    candidates = scope.apply(
        select(Ticket.id).where(
            Ticket.created_at < at, or_(Ticket.closed_at.is_(None), Ticket.closed_at >= at)
        )
    )
    last = (
        select(TicketEvent.ticket_id, func.max(TicketEvent.id).label("event_id"))
        .where(TicketEvent.created_at < at, TicketEvent.ticket_id.in_(candidates))
        .group_by(TicketEvent.ticket_id)
        .subquery("last")
    )
    state = aliased(TicketEvent)
    band = case(
        *[
            (Ticket.created_at > at - timedelta(days=days), literal(name))
            for days, name in AGE_BANDS
        ],
        else_=literal(OLDEST_BAND),
    )
    query = (
        select(state.new_level, band.label("band"), func.count().label("n"))
        .select_from(last)
        .join(state, state.id == last.c.event_id)
        .join(Ticket, Ticket.id == last.c.ticket_id)
        .where(state.new_status.in_(OPEN_STATUSES))
        .group_by(state.new_level, literal_column("band"))
    )
    return {(level, band_name): n for level, band_name, n in db.session.execute(query)}


def _complete_months(rows: list[ResolutionRow], now: datetime) -> list[ResolutionRow]:
    """The months that have ended: the running month's tickets are mostly still open,
    and its low rate would bend the trend."""
    running = now.astimezone(BERLIN).strftime("%Y-%m")
    return [row for row in rows if row.key < running]


@dataclass
class Report:
    """Everything the reports page shows for one period and scope."""

    period: Period
    summary: ResolutionRow
    breakdowns: dict[str, list[ResolutionRow]]
    group_counts: dict[str, int]  # how many groups each breakdown has (it shows ROW_LIMIT)
    trend: float | None
    backlog_at: datetime
    backlog: dict[tuple[int, str], int]


def full_report(period: Period, scope: Scope, now: datetime) -> Report:
    """The whole page: the summary, every breakdown, the monthly trend and the backlog."""
    summary_rows = first_level_resolution_rate(period, scope, None)
    summary = summary_rows[0] if summary_rows else ResolutionRow(key="all")
    breakdowns, group_counts = {}, {}
    for group in GROUPINGS:
        breakdowns[group], group_counts[group] = breakdown(period, scope, group, ROW_LIMIT)
    backlog_at = min(period.end, now)
    return Report(
        period=period,
        summary=summary,
        breakdowns=breakdowns,
        group_counts=group_counts,
        trend=monthly_trend(_complete_months(breakdowns["month"], now)),
        backlog_at=backlog_at,
        backlog=backlog(backlog_at, scope, now),
    )
