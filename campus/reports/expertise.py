"""Growing expertise (issue 16): how often the knowledge base helped (teachers on their own,
level 1, level 2) and how it grew, month by month next to the first-level rate.

Read straight from the article and article-use rows in one query: each row is put into
its month of the period by a CASE over the months' ends (the same on every database).
Uses count in the reader's campuses; articles are shared by the whole city.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, literal, literal_column, select, union_all

from campus.extensions import db
from campus.models import Article, ArticleStatus, ArticleUse
from campus.reports.period import Period, whole_month
from campus.reports.sums import Scope
from campus.reports.trend import MonthChart

BEFORE = -1  # a row from before the period


@dataclass
class ExpertiseMonth:
    key: str  # YYYY-MM
    flr: float | None  # the first-level rate of the month (None without tickets)
    recorded: int
    articles: int  # active articles at the month's end
    published: int
    self_help: int
    level_one: int
    level_two: int
    running: bool = False  # the month has not ended: its rate is no trend yet
    partial: bool = False  # the period holds only some of its days


@dataclass
class Expertise:
    self_help: int = 0  # faults teachers solved themselves with an article: no ticket
    level_one: int = 0  # tickets a campus manager solved with an article's help (per month)
    level_two: int = 0  # ... the system house
    published: int = 0  # articles written in the period
    articles: int = 0  # active articles at the period's end
    months: list[ExpertiseMonth] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.articles or self.published or self.used)

    @property
    def used(self) -> int:
        return self.self_help + self.level_one + self.level_two


def _month_of(column, ends: list) -> ColumnElement:
    """0, 1, ... for the period's months, BEFORE before the period, len(ends) after it."""
    whens = [(column < end, index) for index, end in enumerate(ends)]
    return case(*whens, else_=len(ends))


def _clipped(key: str, start: datetime, end: datetime) -> bool:
    month_start, month_end = whole_month(key)
    return start > month_start or end < month_end


def expertise(period: Period, scope: Scope, chart: MonthChart) -> Expertise:
    """The period's figures and one row per month (the chart's months, whose first-level
    rates it takes), in one query."""
    months = period.months()
    ends = [end for _key, _start, end in months]
    start = period.start

    def bucket(column) -> ColumnElement:
        return case((column < start, BEFORE), else_=_month_of(column, ends)).label("bucket")

    # Grouped by the output name: PostgreSQL would not match the CASE, whose bound
    # values get new placeholders, to itself in GROUP BY.
    by_bucket = literal_column("bucket")

    used_at = bucket(ArticleUse.at)
    # self-help counts each time; an article used on a ticket counts the ticket once
    helped = case(
        (ArticleUse.level == 0, func.count()), else_=func.count(ArticleUse.ticket_id.distinct())
    )
    uses = select(literal("use"), used_at, ArticleUse.level, helped).where(
        ArticleUse.at >= period.start, ArticleUse.at < period.end
    )
    if scope.campus_ids is not None:
        uses = uses.where(ArticleUse.campus_id.in_(scope.campus_ids))
    uses = uses.group_by(by_bucket, ArticleUse.level)
    created_at = bucket(Article.created_at)
    created = (
        select(literal("created"), created_at, literal(0), func.count())
        .where(Article.created_at < period.end)
        .group_by(by_bucket)
    )
    # retired without a date (restored, imported): from its last change on
    retired_on = func.coalesce(Article.retired_at, Article.updated_at)
    retired = (
        select(literal("retired"), bucket(retired_on), literal(0), func.count())
        .where(Article.status == ArticleStatus.RETIRED, retired_on < period.end)
        .group_by(by_bucket)
    )
    counts: dict[tuple[str, int, int], int] = {}
    for kind, index, level, n in db.session.execute(union_all(uses, created, retired)):
        counts[(kind, int(index), int(level))] = int(n)

    result = Expertise()
    active = counts.get(("created", BEFORE, 0), 0) - counts.get(("retired", BEFORE, 0), 0)
    points = {point.key: point for point in chart.points}
    for index, (key, month_start, month_end) in enumerate(months):
        published = counts.get(("created", index, 0), 0)
        active += published - counts.get(("retired", index, 0), 0)
        point = points.get(key)
        row = ExpertiseMonth(
            key=key,
            flr=point.rate if point else None,
            recorded=point.n if point else 0,
            articles=active,
            published=published,
            self_help=counts.get(("use", index, 0), 0),
            level_one=counts.get(("use", index, 1), 0),
            level_two=counts.get(("use", index, 2), 0),
            running=bool(point and point.running),
            partial=_clipped(key, month_start, month_end),
        )
        result.months.append(row)
        result.self_help += row.self_help
        result.level_one += row.level_one
        result.level_two += row.level_two
        result.published += published
    result.articles = active
    return result
