"""Figures a teacher is told about her own ticket, read from the report facts."""

from datetime import datetime, timedelta

from campus.reports.period import Period, today_in_berlin
from campus.reports.queries import resolution_counts
from campus.reports.sums import Scope

# How far back "typical" looks, and how many tickets it needs to say anything.
TYPICAL_DAYS = 90
TYPICAL_MIN_TICKETS = 10


def typical_first_response(campus_id: int, now: datetime) -> float | None:
    """The median time to a first response at the campus over the last 90 days (upper
    bound of its bucket, in seconds), or None with too few tickets to say."""
    today = today_in_berlin(now)
    period = Period(today - timedelta(days=TYPICAL_DAYS), today)
    rows = resolution_counts(period, Scope([campus_id]))
    stats = rows[0].times.get("first_response") if rows else None
    if stats is None or stats.n < TYPICAL_MIN_TICKETS:
        return None
    return stats.median
