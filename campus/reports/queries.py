"""The report figures, summed from the report facts (campus/models/report.py).

Definitions (shown on the reports page as well):
- A period's tickets are those *created* in it (Berlin calendar days); each is
  counted with the state it has now (a cohort), so late resolutions still count.
- recorded: tickets of the period that were not cancelled; cancelled: counted apart.
- resolved_first_level: resolved at level 1 and never escalated (a ticket that was
  reopened and then escalated counts as escalated); FLR = that / recorded.
- net FLR: the same, leaving out categories that level 1 cannot resolve by nature.
- Times: nearest-rank median and 90th percentile (rank ceil(p*n)) over duration
  buckets (5 min steps at first, then hours, then days, see BUCKET_BOUNDS); a
  figure is the upper bound of the bucket that holds that rank ("at most ...").
The database sums the facts (one row per day, campus and key): a year of reports
reads at most 365 x (campuses + schools + managers + types + categories) rows, and
nothing here loads tickets into Python.
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
)

from campus.extensions import db
from campus.models import Campus, School, Ticket, User
from campus.models.report import (
    ALL_CAMPUSES,
    BUCKET_BOUNDS,
    CITY,
    CITY_WIDE,
    COUNTS,
    bucket_columns,
    report_days,
)
from campus.reports.period import Period, today_in_berlin

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

# Which facts dimension answers each grouping; the summary and the months read the
# campus rows, which every ticket has exactly one of.
DIMENSION_OF = {
    None: "campus",
    "month": "campus",
    "campus": "campus",
    "school": "school",
    "manager": "manager",
    "device_type": "device_type",
    "category": "category",
}
VALUE_COLUMNS = (*COUNTS, *(c for figure in TIME_FIGURES for c in bucket_columns(figure)))


def month_of_day(period: Period):
    """The calendar month of a facts row's (Berlin) day as 'YYYY-MM'."""
    day = report_days.c.day
    return case(
        *[
            (and_(day >= first, day <= last), literal(label))
            for label, first, last in period.month_days()
        ],
        else_=literal(NONE_KEY),
    )


def _facts_query(period: Period, scope: Scope, group_by: str | None, ranges) -> Select:
    facts = report_days.c
    if group_by is None:
        key = literal("all")
    elif group_by == "month":
        key = month_of_day(period)
    else:
        key = facts.key
    # "group_key", not "key": GROUP BY would pick the table's own key column.
    query = select(key.label("group_key"), *[func.sum(facts[c]).label(c) for c in VALUE_COLUMNS])
    city_wide = scope.campus_ids is None
    dimension = CITY if city_wide and group_by in (None, "month") else DIMENSION_OF[group_by]
    query = query.where(
        facts.dimension == dimension,
        or_(
            *[
                and_(facts.span == span, facts.day >= first, facts.day <= last)
                for span, first, last in ranges
            ]
        ),
    )
    if not city_wide:
        query = query.where(facts.campus_id.in_(scope.campus_ids))
    elif dimension in CITY_WIDE:
        query = query.where(facts.campus_id == ALL_CAMPUSES)
    return query.group_by(literal_column("group_key"))


def _summed(period: Period, scope: Scope, group_by: str | None) -> dict[str, list[int]]:
    """Per group key, every value column summed over the period (see Period.fact_ranges)."""
    today = today_in_berlin()
    add, subtract = period.fact_ranges(today)
    # Days after today hold no facts: nothing to take away there.
    subtract = [(span, first, last) for span, first, last in subtract if first <= today]
    sums = {
        row[0]: [value or 0 for value in row[1:]]
        for row in db.session.execute(_facts_query(period, scope, group_by, add))
    }
    if subtract:
        for row in db.session.execute(_facts_query(period, scope, group_by, subtract)):
            totals = sums.setdefault(row[0], [0] * len(VALUE_COLUMNS))
            for index, value in enumerate(row[1:]):
                totals[index] -= value or 0
    return sums


def percentile_from_histogram(counts: list[int], p_num: int, p_den: int) -> float | None:
    """Upper bound of the bucket holding rank ceil(p*n); None without data."""
    n = sum(counts)
    if not n:
        return None
    rank = (n * p_num + p_den - 1) // p_den
    seen = 0
    for index, count in enumerate(counts):
        seen += count
        if seen >= rank:
            return BUCKET_BOUNDS[index]
    return BUCKET_BOUNDS[-1]


COUNT_SLICE = slice(0, len(COUNTS))
TIME_SLICES = {
    figure: slice(
        len(COUNTS) + index * len(BUCKET_BOUNDS), len(COUNTS) + (index + 1) * len(BUCKET_BOUNDS)
    )
    for index, figure in enumerate(TIME_FIGURES)
}


def _time_stats(values: list[int]) -> dict[str, TimeStats]:
    stats = {}
    for figure, part in TIME_SLICES.items():
        counts = values[part]
        n = sum(counts)
        if n:
            stats[figure] = TimeStats(
                n=n,
                median=percentile_from_histogram(counts, 1, 2),
                p90=percentile_from_histogram(counts, 9, 10),
            )
    return stats


# --- the figures -------------------------------------------------------------------


def tickets_on_record() -> int:
    """Every ticket ever filed, cancelled ones included: each counts once in the city's
    month rows as recorded or cancelled, so this reads a row per month, not every ticket."""
    facts = report_days.c
    total = db.session.scalar(
        select(func.sum(facts.recorded + facts.cancelled)).where(
            facts.dimension == CITY, facts.span == "month", facts.campus_id == ALL_CAMPUSES
        )
    )
    return int(total or 0)


def resolution_counts(
    period: Period, scope: Scope, group_by: str | None = None
) -> list[ResolutionRow]:
    """Every count and time figure per group, from the summed facts (one or two queries)."""
    rows = []
    for key, values in _summed(period, scope, group_by).items():
        counts = values[COUNT_SLICE]
        if not any(counts):
            continue
        rows.append(
            ResolutionRow(
                key=_key_text(key),
                times=_time_stats(values),
                **{name: int(value) for name, value in zip(COUNTS, counts, strict=True)},
            )
        )
    return rows


def _key_text(value) -> str:
    return NONE_KEY if value in (None, "") else str(value)


def first_level_resolution_rate(
    period: Period, scope: Scope, group_by: str | None = None
) -> list[ResolutionRow]:
    """Every resolution figure and time figure per group, labelled and sorted for display."""
    rows = resolution_counts(period, scope, group_by)
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
