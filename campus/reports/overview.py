"""The whole reports page: summary, breakdowns, monthly trend and the backlog."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, func, literal, literal_column, or_, select
from sqlalchemy.orm import aliased

from campus.extensions import db
from campus.models import OPEN_STATUSES, Ticket, TicketEvent
from campus.reports.period import Period
from campus.reports.queries import (
    ResolutionRow,
    Scope,
    breakdown,
    first_level_resolution_rate,
)
from campus.reports.sums import report_groupings, summed
from campus.reports.targets import flr_target
from campus.reports.trend import MonthChart, month_chart

AGE_BANDS = ((1, "under_1_day"), (3, "1_to_3_days"), (7, "3_to_7_days"), (30, "7_to_30_days"))
OLDEST_BAND = "over_30_days"
# A page shows at most this many rows per breakdown (the groups with the most tickets);
# a city of a thousand schools reads the rest in the CSV export.
ROW_LIMIT = 100


def _age_band(at: datetime):
    return case(
        *[
            (Ticket.created_at > at - timedelta(days=days), literal(name))
            for days, name in AGE_BANDS
        ],
        else_=literal(OLDEST_BAND),
    )


def _open_now_statement(scoped: bool):
    """One statement counting the open tickets of each (level, age band): each count an
    index range (level, status, created_at), no row read or sorted. The instants are
    parameters ("at", "edge0"...), so the statement is built once per process."""
    names = [name for _days, name in AGE_BANDS] + [OLDEST_BAND]
    counts = []
    for level in (1, 2):
        for index in range(len(names)):
            query = select(func.count()).select_from(Ticket).where(Ticket.is_open_clause())
            query = query.where(Ticket.level == level)
            if index == 0:
                query = query.where(Ticket.created_at < bindparam("at"))
            else:
                query = query.where(Ticket.created_at <= bindparam(f"edge{index - 1}"))
            if index < len(AGE_BANDS):
                query = query.where(Ticket.created_at > bindparam(f"edge{index}"))
            if scoped:
                query = query.where(Ticket.campus_id.in_(bindparam("campuses", expanding=True)))
            counts.append(query.scalar_subquery())
    cells = [(level, name) for level in (1, 2) for name in names]
    return cells, select(*counts)


_OPEN_NOW = {}


def _open_now(at: datetime, scope: Scope) -> dict[tuple[int, str], int]:
    scoped = scope.campus_ids is not None
    if scoped not in _OPEN_NOW:
        _OPEN_NOW[scoped] = _open_now_statement(scoped)
    cells, statement = _OPEN_NOW[scoped]
    params = {f"edge{i}": at - timedelta(days=days) for i, (days, _name) in enumerate(AGE_BANDS)}
    params["at"] = at
    if scoped:
        params["campuses"] = list(scope.campus_ids)
    row = db.session.execute(statement, params).one()
    return {cell: n for cell, n in zip(cells, row, strict=True) if n}


def backlog(at: datetime, scope: Scope, now: datetime | None = None) -> dict[tuple[int, str], int]:
    """Open tickets at the instant `at`, by level and age band: {(level, band): count}.

    For a past instant, the state is the one the ticket's last event before `at` set,
    so a ticket closed (or reopened) later is counted as it stood then. For now, the
    tickets' current state answers directly, from the queue indexes.
    """
    if now is not None and at >= now:
        return _open_now(at, scope)
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
    query = (
        select(state.new_level, _age_band(at).label("band"), func.count().label("n"))
        .select_from(last)
        .join(state, state.id == last.c.event_id)
        .join(Ticket, Ticket.id == last.c.ticket_id)
        .where(state.new_status.in_(OPEN_STATUSES))
        .group_by(state.new_level, literal_column("band"))
    )
    return {(level, band_name): n for level, band_name, n in db.session.execute(query)}


@dataclass
class Report:
    """Everything the reports page shows for one period and scope."""

    period: Period
    summary: ResolutionRow
    breakdowns: dict[str, list[ResolutionRow]]
    group_counts: dict[str, int]  # how many groups each breakdown has (it shows ROW_LIMIT)
    chart: MonthChart  # the months with the running one marked, and their trend
    backlog_at: datetime
    backlog: dict[tuple[int, str], int]

    @property
    def trend(self) -> float | None:
        """Percentage points per month over the finished months, None without a trend."""
        return self.chart.slope


CHART_COLUMNS = ("recorded", "resolved_first_level")


def months_chart(period: Period, scope: Scope, now: datetime) -> MonthChart:
    """The monthly first-level rate of the period with its trend and the target (summing
    only the two columns it needs: a page's other figures come from elsewhere)."""
    sums = summed(period, scope, "month", columns=CHART_COLUMNS)
    rows = []
    for label, _start, _end in period.months():
        recorded, first_level = sums.get(label, (0, 0))
        rows.append(
            ResolutionRow(
                key=label, label=label, recorded=recorded, resolved_first_level=first_level
            )
        )
    return month_chart(rows, now, flr_target())


def full_report(period: Period, scope: Scope, now: datetime) -> Report:
    """The whole page: the summary, every breakdown, the monthly trend and the backlog."""
    summary_rows = first_level_resolution_rate(period, scope, None)
    summary = summary_rows[0] if summary_rows else ResolutionRow(key="all")
    breakdowns, group_counts = {}, {}
    for group in report_groupings():
        breakdowns[group], group_counts[group] = breakdown(period, scope, group, ROW_LIMIT)
    backlog_at = min(period.end, now)
    return Report(
        period=period,
        summary=summary,
        breakdowns=breakdowns,
        group_counts=group_counts,
        chart=month_chart(breakdowns["month"], now, flr_target()),
        backlog_at=backlog_at,
        backlog=backlog(backlog_at, scope, now),
    )
