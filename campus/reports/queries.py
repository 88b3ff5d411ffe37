"""The report figures, summed from the report facts (campus/models/report.py).

Definitions (shown on the reports page as well):
- A period's tickets are those *created* in it (Berlin calendar days); each is
  counted with the state it has now (a cohort), so late resolutions still count.
- recorded: tickets of the period that were not cancelled; cancelled: counted apart.
- resolved_first_level: resolved at level 1 and never escalated (a ticket that was
  reopened and then escalated counts as escalated); FLR = that / recorded.
- net FLR: the same, leaving out categories that level 1 cannot resolve by nature.
- On time: of the tickets with a due date that were answered (resolved), the share
  answered (resolved) by it.
- Times: nearest-rank median and 90th percentile (rank ceil(p*n)) over duration
  buckets (5 min steps at first, then hours, then days, see BUCKET_BOUNDS); a
  figure is the upper bound of the bucket that holds that rank ("at most ...").
The database sums the facts (sums.py: month rows for whole months, day rows only at
the edges, city-wide rows where a reading spans every campus); nothing here loads
tickets into Python.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from campus.extensions import db
from campus.models import Campus, School, User
from campus.models.report import BUCKET_BOUNDS, COUNTS
from campus.reports.period import Period
from campus.reports.sums import NONE_KEY, TIME_FIGURES, Scope, summed


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
    responses_due: int = 0
    responses_on_time: int = 0
    resolutions_due: int = 0
    resolutions_on_time: int = 0
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

    @property
    def response_on_time_share(self) -> float | None:
        return self._rate(self.responses_on_time, self.responses_due)

    @property
    def resolution_on_time_share(self) -> float | None:
        return self._rate(self.resolutions_on_time, self.resolutions_due)


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


def resolution_counts(
    period: Period, scope: Scope, group_by: str | None = None, keys: list[str] | None = None
) -> list[ResolutionRow]:
    """Every count and time figure per group, from the summed facts (one or two queries)."""
    rows = []
    for key, values in summed(period, scope, group_by, keys=keys).items():
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


def largest_groups(
    period: Period, scope: Scope, group_by: str, limit: int
) -> tuple[list[str] | None, int]:
    """The keys of the `limit` groups with the most tickets (None: there are no more than
    that), and how many groups have tickets: counted on two columns, not on all."""
    sums = summed(period, scope, group_by, columns=("recorded", "cancelled"))
    present = [(values[0], key) for key, values in sums.items() if any(values)]
    if len(present) <= limit:
        return None, len(present)
    present.sort(key=lambda pair: (-pair[0], str(pair[1])))
    return [key for _recorded, key in present[:limit]], len(present)


def breakdown(
    period: Period, scope: Scope, group_by: str, limit: int
) -> tuple[list[ResolutionRow], int]:
    """A grouping for the page: every group, or the `limit` with the most tickets (most
    first) where there are more; and how many groups there are in all."""
    few = group_by in ("month", "device_type", "category") or (
        group_by == "campus" and scope.campus_ids is not None and len(scope.campus_ids) <= limit
    )
    if few:  # never more groups than the page shows: no need to count them first
        rows = first_level_resolution_rate(period, scope, group_by)
        return rows, len(rows)
    keys, total = largest_groups(period, scope, group_by, limit)
    rows = first_level_resolution_rate(period, scope, group_by, keys)
    if keys is not None:
        rows.sort(key=lambda row: (-row.recorded, row.label.lower()))
    return rows, total


def first_level_resolution_rate(
    period: Period, scope: Scope, group_by: str | None = None, keys: list[str] | None = None
) -> list[ResolutionRow]:
    """Every resolution figure and time figure per group, labelled and sorted for display."""
    rows = resolution_counts(period, scope, group_by, keys)
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
