"""Report facts: per Berlin day (and per month), campus and breakdown key, the counts and
the duration histograms of the tickets created then, kept current by the ticket services.

The reports sum these rows instead of scanning tickets: a year is at most
365 x (campuses + schools + managers + device types + categories) rows, however
many tickets there are.
"""

from sqlalchemy import CheckConstraint, Column, Date, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from campus.models.base import Base

DIMENSIONS = ("campus", "school", "manager", "device_type", "category")
SPANS = ("day", "month")
# Rows for the whole city (campus_id 0): the "city" dimension (one key, "") for the
# summary and the month trend, and a copy of the dimensions that every campus shares.
CITY = "city"
CITY_WIDE = ("device_type", "category")
ALL_CAMPUSES = 0

COUNTS = (
    "recorded",
    "cancelled",
    "resolved",
    "resolved_first_level",
    "escalated",
    "net_recorded",
    "net_resolved_first_level",
    "resolved_second_level",
    "l1_capable",
    "ever_resolved",
    "reopened",
    # Due dates (campus/timetable/due.py): tickets answered (resolved) that had a due
    # date, and of those the ones in time.
    "responses_due",
    "responses_on_time",
    "resolutions_due",
    "resolutions_on_time",
)

# Upper bounds (seconds) of the duration buckets; the last one is open-ended.
MINUTE, HOUR, DAY = 60, 3600, 86400
BUCKET_BOUNDS: tuple[float, ...] = (
    *(m * MINUTE for m in (5, 10, 15, 20, 30, 45)),
    *(h * HOUR for h in (1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20)),
    *(
        d * DAY
        for d in (
            1,
            1.25,
            1.5,
            2,
            2.5,
            3,
            4,
            5,
            6,
            7,
            8,
            10,
            12,
            14,
            17,
            21,
            28,
            35,
            45,
            60,
            90,
            120,
            180,
            365,
        )
    ),
    float("inf"),
)
FIGURES = {"first_response": "fr", "resolution": "rs", "level2": "l2"}


def bucket_columns(figure: str) -> list[str]:
    prefix = FIGURES[figure]
    return [f"{prefix}_{i:02d}" for i in range(len(BUCKET_BOUNDS))]


report_days = Table(
    "report_days",
    Base.metadata,
    Column("dimension", String(12), primary_key=True),
    # "day" rows hold one Berlin day; "month" rows (day = the 1st) the sum of a month,
    # so that a year reads twelve rows per key instead of 365.
    Column("span", String(5), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("campus_id", Integer, primary_key=True),
    Column("key", String(40), primary_key=True),
    *[Column(name, Integer, nullable=False, default=0, server_default="0") for name in COUNTS],
    *[
        Column(name, Integer, nullable=False, default=0, server_default="0")
        for figure in FIGURES
        for name in bucket_columns(figure)
    ],
)


class ReportSettings(Base):
    """The reports' settings that belong to no category: one row (id 1), or none yet."""

    __tablename__ = "report_settings"
    __table_args__ = (
        CheckConstraint("target_flr IS NULL OR target_flr BETWEEN 1 AND 100", name="target_flr"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The first-level resolution rate the school board aims at, in percent: a line in the
    # monthly chart. None: no target.
    target_flr: Mapped[int | None] = mapped_column(Integer)
