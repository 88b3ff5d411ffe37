"""Report periods: calendar days in Europe/Berlin, turned into UTC instants for the queries."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
PRESETS = ("last_30_days", "school_year", "last_12_months", "custom")


def berlin_midnight(day: date) -> datetime:
    """The UTC instant at which `day` begins in Berlin (DST-aware)."""
    return datetime.combine(day, time(0), tzinfo=BERLIN).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """From the first to the last day, both included, in Berlin local time."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return berlin_midnight(self.first)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return berlin_midnight(self.last + timedelta(days=1))

    def months(self) -> list[tuple[str, datetime, datetime]]:
        """Each calendar month the period touches: (YYYY-MM, start, end), clipped to it."""
        months = []
        current = self.first.replace(day=1)
        while current <= self.last:
            following = (current + timedelta(days=32)).replace(day=1)
            start = max(berlin_midnight(current), self.start)
            end = min(berlin_midnight(following), self.end)
            months.append((current.strftime("%Y-%m"), start, end))
            current = following
        return months

    def month_days(self) -> list[tuple[str, date, date]]:
        """Each calendar month the period touches: (YYYY-MM, first day, last day), clipped."""
        months = []
        current = self.first.replace(day=1)
        while current <= self.last:
            following = (current + timedelta(days=32)).replace(day=1)
            first = max(current, self.first)
            last = min(following - timedelta(days=1), self.last)
            months.append((current.strftime("%Y-%m"), first, last))
            current = following
        return months

    def spans(self, today: date | None = None) -> list[tuple[str, date, date]]:
        """The period as report-fact ranges to add up (see fact_ranges)."""
        return self.fact_ranges(today)[0]

    def fact_ranges(
        self, today: date | None = None
    ) -> tuple[list[tuple[str, date, date]], list[tuple[str, date, date]]]:
        """(add, subtract): the report-fact ranges whose sum is the period.

        Whole months are read as "month" rows. A partial month at either end is read as
        its days ("day" rows), or as its month row minus the days outside the period when
        that reads fewer rows: the running month up to today is one month row, less the
        days still to come, which hold nothing yet. Days after `today` count as empty
        when choosing, but are always subtracted, so the sum is right whatever `today` is.
        """

        def rows(start: date, end: date) -> int:  # day rows that can exist in the range
            return max(0, (min(end, today or end) - start).days + 1)

        add, subtract = [], []
        for _label, first, last in self.month_days():
            month = first.replace(day=1)
            following = (month + timedelta(days=32)).replace(day=1)
            if first == month and last == following - timedelta(days=1):
                add.append(("month", month, month))
                continue
            outside = [
                (start, end)
                for start, end in (
                    (month, first - timedelta(days=1)),
                    (last + timedelta(days=1), following - timedelta(days=1)),
                )
                if start <= end
            ]
            if 1 + sum(rows(start, end) for start, end in outside) < rows(first, last):
                add.append(("month", month, month))
                subtract += [("day", start, end) for start, end in outside]
            else:
                add.append(("day", first, last))
        return add, subtract


def whole_month(key: str) -> tuple[datetime, datetime]:
    """The calendar month "YYYY-MM" from its first midnight to the next month's (Berlin)."""
    first = date(int(key[:4]), int(key[5:7]), 1)
    following = (first + timedelta(days=32)).replace(day=1)
    return berlin_midnight(first), berlin_midnight(following)


def today_in_berlin(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(BERLIN).date()


def preset_period(name: str, today: date) -> Period:
    """The named presets; a school year in NRW runs from 1 August to 31 July."""
    if name == "last_30_days":
        return Period(today - timedelta(days=29), today)
    if name == "school_year":
        year = today.year if today.month >= 8 else today.year - 1
        return Period(date(year, 8, 1), today)
    # last 12 months: the same day a year ago (the 28th for 29 February) up to today
    try:
        first = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:
        first = date(today.year - 1, 3, 1)
    return Period(first, today)
