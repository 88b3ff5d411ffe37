"""The report figures, computed by the database (GROUP BY, FILTER, window/percentile functions).

Definitions (shown on the reports page as well):
- A period's tickets are those *created* in it (Berlin calendar days); each is
  counted with the state it has now (a cohort), so late resolutions still count.
- recorded: tickets of the period that were not cancelled; cancelled: counted apart.
- resolved_first_level: resolved at level 1 and never escalated (a ticket that was
  reopened and then escalated counts as escalated); FLR = that / recorded.
- net FLR: the same, leaving out categories that level 1 cannot resolve by nature.
- Percentiles are nearest-rank: the value at rank ceil(p*n) of the sorted durations.
  PostgreSQL computes them with percentile_disc; SQLite, which has no percentile
  function, with ROW_NUMBER() and COUNT() windows, which gives the same value.
Nothing here loads tickets into Python: every query returns one row per group.
"""

from dataclasses import dataclass, field

from sqlalchemy import (
    Select,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)

from campus.extensions import db
from campus.models import (
    Campus,
    CategorySetting,
    Device,
    School,
    Ticket,
    TicketStatus,
    User,
)
from campus.reports.period import Period

GROUPINGS = ("campus", "school", "manager", "device_type", "category", "month")
TIME_FIGURES = ("first_response", "resolution", "level2")
NONE_KEY = "none"


@dataclass
class Scope:
    """Which tickets a reader may count: all (admins) or some campuses (managers)."""

    campus_ids: list[int] | None = None  # None: every campus

    def apply(self, query: Select) -> Select:
        if self.campus_ids is None:
            return query
        return query.where(Ticket.campus_id.in_(self.campus_ids))


@dataclass
class TimeStats:
    n: int = 0
    median: float | None = None  # seconds
    p90: float | None = None


@dataclass
class ResolutionRow:
    """One group's counts; the rates are derived from them (None where undefined)."""

    key: str
    label: str = ""
    recorded: int = 0
    cancelled: int = 0
    resolved: int = 0
    resolved_first_level: int = 0
    escalated: int = 0
    net_recorded: int = 0
    net_resolved_first_level: int = 0
    resolved_second_level: int = 0
    l1_capable: int = 0
    ever_resolved: int = 0
    reopened: int = 0
    times: dict[str, TimeStats] = field(default_factory=dict)

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def flr(self) -> float | None:
        return self._rate(self.resolved_first_level, self.recorded)

    @property
    def net_flr(self) -> float | None:
        return self._rate(self.net_resolved_first_level, self.net_recorded)

    @property
    def share_of_resolved(self) -> float | None:
        return self._rate(self.resolved_first_level, self.resolved)

    @property
    def escalation_rate(self) -> float | None:
        return self._rate(self.escalated, self.recorded)

    @property
    def l1_capable_share(self) -> float | None:
        return self._rate(self.l1_capable, self.resolved_second_level)

    @property
    def reopen_rate(self) -> float | None:
        return self._rate(self.reopened, self.ever_resolved)


# --- building blocks -----------------------------------------------------------


def _dialect() -> str:
    return db.engine.dialect.name


def seconds_between(later, earlier):
    """A duration in seconds, in the database's own date arithmetic."""
    if _dialect() == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def month_key(period: Period):
    """The Berlin calendar month of created_at as 'YYYY-MM' (DST-correct on every database)."""
    return case(
        *[
            (and_(Ticket.created_at >= start, Ticket.created_at < end), literal(label))
            for label, start, end in period.months()
        ],
        else_=literal(NONE_KEY),
    )


def _group_key(group_by: str | None, period: Period):
    """The expression to group by, and whether it needs the devices table."""
    if group_by is None:
        return literal("all"), False
    if group_by == "campus":
        return Ticket.campus_id, False
    if group_by == "school":
        return Ticket.school_id, False
    if group_by == "manager":
        return Ticket.l1_assignee_id, False
    if group_by == "device_type":
        return Device.type, True
    if group_by == "category":
        return Ticket.category, False
    if group_by == "month":
        return month_key(period), False
    raise ValueError(f"unknown grouping {group_by!r}")


def _base(columns: list, group_by: str | None, period: Period, scope: Scope):
    key, needs_device = _group_key(group_by, period)
    query = select(key.label("key"), *columns).select_from(Ticket)
    if needs_device:
        query = query.outerjoin(Device, Device.id == Ticket.device_id)
    query = query.where(Ticket.created_at >= period.start, Ticket.created_at < period.end)
    return scope.apply(query)


def excluded_categories() -> list[str]:
    """Categories the admin marked as not resolvable at level 1 by nature."""
    return list(
        db.session.scalars(
            select(CategorySetting.category).where(CategorySetting.l1_resolvable.is_(False))
        )
    )


# --- the figures -------------------------------------------------------------------


def resolution_counts(
    period: Period, scope: Scope, group_by: str | None = None
) -> list[ResolutionRow]:
    """Recorded, resolved, first-level, escalated ... per group, in one aggregate query."""
    live = Ticket.status != TicketStatus.CANCELLED
    first_level = and_(live, Ticket.resolved_level == 1, Ticket.escalated_at.is_(None))
    excluded = excluded_categories()
    resolvable = Ticket.category.not_in(excluded) if excluded else literal(True)

    def count(condition):
        return func.count().filter(condition)

    columns = [
        count(live).label("recorded"),
        count(Ticket.status == TicketStatus.CANCELLED).label("cancelled"),
        count(and_(live, Ticket.resolved_level.is_not(None))).label("resolved"),
        count(first_level).label("resolved_first_level"),
        count(and_(live, Ticket.escalated_at.is_not(None))).label("escalated"),
        count(and_(live, resolvable)).label("net_recorded"),
        count(and_(first_level, resolvable)).label("net_resolved_first_level"),
        count(and_(live, Ticket.resolved_level == 2)).label("resolved_second_level"),
        count(and_(live, Ticket.resolved_level == 2, Ticket.l1_capable.is_(True))).label(
            "l1_capable"
        ),
        count(and_(live, or_(Ticket.resolved_at.is_not(None), Ticket.reopened_count > 0))).label(
            "ever_resolved"
        ),
        count(and_(live, Ticket.reopened_count > 0)).label("reopened"),
    ]
    query = _base(columns, group_by, period, scope)
    rows = db.session.execute(query.group_by(literal_column("key"))).mappings().all()
    result = [
        ResolutionRow(key=_key_text(row["key"]), **{k: v for k, v in row.items() if k != "key"})
        for row in rows
    ]
    return result


def _key_text(value) -> str:
    return NONE_KEY if value is None else str(value)


def time_figures(
    period: Period, scope: Scope, group_by: str | None = None
) -> dict[str, dict[str, TimeStats]]:
    """Median and 90th percentile of each time figure per group: {key: {figure: stats}}."""
    live = Ticket.status != TicketStatus.CANCELLED
    durations = {
        "first_response": (
            seconds_between(Ticket.first_response_at, Ticket.created_at),
            and_(live, Ticket.first_response_at.is_not(None)),
        ),
        "resolution": (
            seconds_between(Ticket.resolved_at, Ticket.created_at),
            and_(live, Ticket.resolved_at.is_not(None)),
        ),
        "level2": (
            seconds_between(Ticket.resolved_at, Ticket.escalated_at),
            and_(live, Ticket.resolved_level == 2, Ticket.escalated_at.is_not(None)),
        ),
    }
    parts = []
    for name, (seconds, condition) in durations.items():
        part = _base(
            [literal(name).label("figure"), seconds.label("seconds")], group_by, period, scope
        )
        parts.append(part.where(condition))
    samples = union_all(*parts).subquery("samples")
    if _dialect() == "postgresql":
        query = select(
            samples.c.key,
            samples.c.figure,
            func.count().label("n"),
            func.percentile_disc(0.5).within_group(samples.c.seconds).label("median"),
            func.percentile_disc(0.9).within_group(samples.c.seconds).label("p90"),
        ).group_by(samples.c.key, samples.c.figure)
    else:
        ranked = select(
            samples.c.key,
            samples.c.figure,
            samples.c.seconds,
            func.row_number()
            .over(partition_by=(samples.c.key, samples.c.figure), order_by=samples.c.seconds)
            .label("rank"),
            func.count().over(partition_by=(samples.c.key, samples.c.figure)).label("n"),
        ).subquery("ranked")
        # nearest rank: ceil(0.5 n) = (n + 1) / 2 and ceil(0.9 n) = (9 n + 9) / 10, integer division
        query = select(
            ranked.c.key,
            ranked.c.figure,
            func.max(ranked.c.n).label("n"),
            func.max(case((ranked.c.rank == (ranked.c.n + 1) // 2, ranked.c.seconds))).label(
                "median"
            ),
            func.max(case((ranked.c.rank == (ranked.c.n * 9 + 9) // 10, ranked.c.seconds))).label(
                "p90"
            ),
        ).group_by(ranked.c.key, ranked.c.figure)
    result: dict[str, dict[str, TimeStats]] = {}
    for row in db.session.execute(query).mappings():
        stats = TimeStats(
            n=row["n"],
            median=float(row["median"]) if row["median"] is not None else None,
            p90=float(row["p90"]) if row["p90"] is not None else None,
        )
        result.setdefault(_key_text(row["key"]), {})[row["figure"]] = stats
    return result


def first_level_resolution_rate(
    period: Period, scope: Scope, group_by: str | None = None
) -> list[ResolutionRow]:
    """Every resolution figure and time figure per group, labelled and sorted for display."""
    rows = resolution_counts(period, scope, group_by)
    times = time_figures(period, scope, group_by)
    for row in rows:
        row.times = times.get(row.key, {})
    _label(rows, group_by, period)
    if group_by == "month":
        present = {row.key: row for row in rows}
        rows = [
            present.get(label) or ResolutionRow(key=label, label=label)
            for label, _start, _end in period.months()
        ]
    else:
        rows.sort(key=lambda row: (row.key == NONE_KEY, row.label.lower()))
    return rows


def _label(rows: list[ResolutionRow], group_by: str | None, period: Period) -> None:
    """Names for the ids (one query per table, never per row)."""
    from campus.labels import label

    models = {
        "campus": (Campus, Campus.name),
        "school": (School, School.name),
        "manager": (User, User.display_name),
    }
    names: dict[str, str] = {}
    if group_by in models:
        model, column = models[group_by]
        ids = [int(row.key) for row in rows if row.key != NONE_KEY]
        if ids:
            names = {
                str(i): n
                for i, n in db.session.execute(select(model.id, column).where(model.id.in_(ids)))
            }
    for row in rows:
        if group_by is None:
            row.label = ""
        elif group_by in models:
            row.label = names.get(row.key, "")
        elif group_by in ("device_type", "category"):
            row.label = "" if row.key == NONE_KEY else label(group_by, row.key)
        else:
            row.label = row.key
