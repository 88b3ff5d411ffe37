"""The report facts summed over a period, per group (campus/models/report.py): the one
place that reads report_days. The figures and their labels are in queries.py."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, literal, literal_column, or_, select

from campus.exceptions import NotAllowed
from campus.extensions import db
from campus.models import Ticket
from campus.models.report import (
    ALL_CAMPUSES,
    CITY,
    CITY_WIDE,
    COUNTS,
    bucket_columns,
    report_days,
)
from campus.privacy.settings import manager_figures_allowed, manager_figures_since
from campus.reports.period import Period, today_in_berlin

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


class ManagerFiguresOff(NotAllowed):
    """Figures per named campus manager are switched off (co-determination)."""


def refuse_manager_figures() -> date:
    """Every figure per campus manager is read through here: refused while switched off,
    whatever page, download or API asks; counted from the day it was switched on."""
    since = manager_figures_since()
    if since is None:
        raise ManagerFiguresOff(
            _l(
                "Figures per campus manager are switched off (co-determination). An "
                "administrator can switch them on under Administration, Privacy."
            )
        )
    return since


GROUPINGS = ("campus", "school", "manager", "device_type", "category", "month")


def report_groupings() -> tuple[str, ...]:
    """The groupings a reader may ask for: without "manager" while it is switched off."""
    if manager_figures_allowed():
        return GROUPINGS
    return tuple(g for g in GROUPINGS if g != "manager")


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
# Built once: a page sums 170 columns in a dozen queries, and building the expressions
# anew each time cost more than some of the queries.
SUMS = {name: func.sum(report_days.c[name]).label(name) for name in VALUE_COLUMNS}


def merged(ranges) -> list[tuple[str, date, date]]:
    """Adjacent ranges of one span as one: a year of whole months is one range of month
    rows, not twelve (a shorter query, built and planned faster)."""
    out: list[tuple[str, date, date]] = []
    for span, first, last in sorted(ranges):
        if out and out[-1][0] == span and _following(span, out[-1][2]) == first:
            out[-1] = (span, out[-1][1], last)
        else:
            out.append((span, first, last))
    return out


def _following(span: str, day: date) -> date:
    """The day of the next row of `span` after the row of `day`."""
    if span == "day":
        return day + timedelta(days=1)
    return (day + timedelta(days=32)).replace(day=1)


def facts_query(
    scope: Scope,
    group_by: str | None,
    ranges,
    columns=None,
    keys: list[str] | None = None,
) -> Select:
    facts = report_days.c
    columns = VALUE_COLUMNS if columns is None else columns
    if group_by is None:
        key = literal("all")
    elif group_by == "month":
        key = facts.day  # per row's day: summed into its month by summed()
    else:
        key = facts.key
    # "group_key", not "key": GROUP BY would pick the table's own key column.
    query = select(key.label("group_key"), *[SUMS[c] for c in columns])
    city_wide = scope.campus_ids is None
    dimension = CITY if city_wide and group_by in (None, "month") else DIMENSION_OF[group_by]
    query = query.where(
        facts.dimension == dimension,
        or_(
            *[
                and_(facts.span == span, facts.day >= first, facts.day <= last)
                for span, first, last in merged(ranges)
            ]
        ),
    )
    if keys is not None:
        query = query.where(facts.key.in_(keys))
    if not city_wide:
        query = query.where(facts.campus_id.in_(scope.campus_ids))
    elif dimension in CITY_WIDE:
        query = query.where(facts.campus_id == ALL_CAMPUSES)
    return query.group_by(literal_column("group_key"))


def summed(
    period: Period, scope: Scope, group_by: str | None, columns=None, keys=None
) -> dict[str, list[int]]:
    """Per group key, the value columns (all of them by default) summed over the period
    (see Period.fact_ranges); only the groups `keys` names, if given. By month, the key
    is 'YYYY-MM': the database sums per day row (a month row is its 1st), this adds the
    rows of each month up, a few dozen at most."""
    if group_by == "manager":
        since = refuse_manager_figures()
        if period.last < since:
            return {}
        period = Period(max(period.first, since), period.last)  # from the agreement on
    width = len(VALUE_COLUMNS if columns is None else columns)
    today = today_in_berlin()
    add, subtract = period.fact_ranges(today)
    # Days after today hold no facts: nothing to take away there.
    subtract = [(span, first, last) for span, first, last in subtract if first <= today]
    sums: dict = {}
    for ranges, sign in ((add, 1), (subtract, -1)):
        if not ranges:
            continue
        for row in db.session.execute(facts_query(scope, group_by, ranges, columns, keys)):
            group = row[0].strftime("%Y-%m") if group_by == "month" else row[0]
            totals = sums.setdefault(group, [0] * width)
            for index, value in enumerate(row[1:]):
                totals[index] += sign * (value or 0)
    return sums


def tickets_on_record_query() -> Select:
    """Every ticket ever filed, cancelled ones included: each counts once in the city's
    month rows as recorded or cancelled, so this reads a row per month, not every ticket."""
    facts = report_days.c
    # every city row is campus 0: naming it would lead SQLite to a skip-scan
    return select(func.sum(facts.recorded + facts.cancelled)).where(
        facts.dimension == CITY, facts.span == "month"
    )


def tickets_on_record() -> int:
    return int(db.session.scalar(tickets_on_record_query()) or 0)
