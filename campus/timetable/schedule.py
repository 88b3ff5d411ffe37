"""The visit timetable worked out into dates: pure calculation, no database.

A `Timetable` holds the weekly visits, the absences, the one-off changes and the closed
days as plain values; `occurrences()` says who is at which school when, on real dates in
Europe/Berlin (a local 8:00 stays 8:00 across a daylight-saving change). A `Plan` is one
school's coming visits and closed days, the part that due dates and "next on site" need;
it is small enough to keep on the school as JSON (campus/timetable/plans.py).
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
CANCELLED, EXTRA = "cancelled", "extra"


@dataclass(frozen=True)
class Slot:
    """A weekly visit: every `weekday` (0 = Monday), `starts`-`ends`, at a school."""

    manager_id: int
    school_id: int
    weekday: int
    starts: time
    ends: time


@dataclass(frozen=True)
class Away:
    """A manager's absence, with or without a substitute (first and last day inclusive)."""

    manager_id: int
    first_day: date
    last_day: date
    substitute_id: int | None = None


@dataclass(frozen=True)
class OneOff:
    """A change on one day: the regular visit cancelled, or an extra one."""

    manager_id: int
    school_id: int
    day: date
    kind: str  # CANCELLED or EXTRA
    starts: time
    ends: time


@dataclass(frozen=True, order=True)
class Occurrence:
    """A visit on a date: who comes (a substitute, when the manager is away)."""

    starts: datetime  # aware, Europe/Berlin
    ends: datetime
    school_id: int
    person_id: int  # who comes
    manager_id: int  # whose timetable it is
    extra: bool = False

    @property
    def day(self) -> date:
        return self.starts.date()

    @property
    def by_substitute(self) -> bool:
        return self.person_id != self.manager_id


def local(day: date, at: time) -> datetime:
    """`at` on `day` in Berlin, aware (a time that a spring change skips moves on)."""
    moment = datetime.combine(day, at, tzinfo=BERLIN)
    return moment.astimezone(UTC).astimezone(BERLIN)


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@dataclass
class Timetable:
    slots: list[Slot] = field(default_factory=list)
    absences: list[Away] = field(default_factory=list)
    changes: list[OneOff] = field(default_factory=list)
    closed: list[tuple[date, date]] = field(default_factory=list)  # holidays, inclusive

    def is_closed(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.closed)

    def closed_days(self, first: date, last: date) -> set[date]:
        return {day for day in _days(first, last) if self.is_closed(day)}

    def _away(self, manager_id: int, day: date) -> Away | None:
        for absence in self.absences:
            if absence.manager_id == manager_id and absence.first_day <= day <= absence.last_day:
                return absence
        return None

    def _person(self, manager_id: int, day: date) -> int | None:
        """Who makes the manager's visits on `day`: the manager, a substitute, or nobody."""
        absence = self._away(manager_id, day)
        if absence is None:
            return manager_id
        return absence.substitute_id

    def occurrences(self, first: date, last: date) -> list[Occurrence]:
        """Every visit from `first` to `last` (inclusive), in time order."""
        found = []
        by_day: dict[date, list[OneOff]] = {}
        for change in self.changes:
            if first <= change.day <= last:
                by_day.setdefault(change.day, []).append(change)
        for day in _days(first, last):
            changes = by_day.get(day, [])
            cancelled = {(c.manager_id, c.school_id) for c in changes if c.kind == CANCELLED}
            regular = [] if self.is_closed(day) else self.slots
            for slot in regular:
                if slot.weekday != day.weekday() or (slot.manager_id, slot.school_id) in cancelled:
                    continue
                person = self._person(slot.manager_id, day)
                if person is not None:
                    found.append(
                        Occurrence(
                            local(day, slot.starts),
                            local(day, slot.ends),
                            slot.school_id,
                            person,
                            slot.manager_id,
                        )
                    )
            for change in changes:  # an extra visit is meant: it counts on a closed day too
                person = self._person(change.manager_id, day)
                if change.kind == EXTRA and person is not None:
                    found.append(
                        Occurrence(
                            local(day, change.starts),
                            local(day, change.ends),
                            change.school_id,
                            person,
                            change.manager_id,
                            extra=True,
                        )
                    )
        return sorted(found)

    def plan(self, school_id: int, first: date, last: date) -> "Plan":
        return self.plans([school_id], first, last)[school_id]

    def plans(self, school_ids, first: date, last: date) -> dict[int, "Plan"]:
        """Each school's plan, the occurrences worked out once for all of them."""
        closed = self.closed_days(first, last)
        found: dict[int, list[Occurrence]] = {school_id: [] for school_id in school_ids}
        for visit in self.occurrences(first, last):
            if visit.school_id in found:
                found[visit.school_id].append(visit)
        return {school_id: Plan(first, last, visits, closed) for school_id, visits in found.items()}


@dataclass(frozen=True)
class WorkingHours:
    """When the clocks of the due dates run: these weekdays, from `starts` to `ends`."""

    starts: time = time(8, 0)
    ends: time = time(16, 0)
    weekdays: frozenset[int] = frozenset(range(5))

    @classmethod
    def parse(cls, text: str, weekdays: str = "0,1,2,3,4") -> "WorkingHours":
        """From "08:00-16:00" and "0,1,2,3,4"; a ValueError says what is wrong."""
        try:
            start_text, end_text = text.split("-")
            starts, ends = (
                time.fromisoformat(start_text.strip()),
                time.fromisoformat(end_text.strip()),
            )
            days = frozenset(int(d) for d in weekdays.split(",") if d.strip())
        except ValueError as error:
            raise ValueError(f"working hours {text!r} / {weekdays!r}: {error}") from None
        if starts >= ends or not days or not days <= set(range(7)):
            raise ValueError(f"working hours {text!r} / {weekdays!r} are not a working day")
        return cls(starts, ends, days)


@dataclass
class Plan:
    """One school's visits and closed days from `first` to `last`."""

    first: date
    last: date
    visits: list[Occurrence]
    closed: set[date]

    def covers(self, start: datetime, end: datetime) -> bool:
        return (
            self.first <= start.astimezone(BERLIN).date()
            and end.astimezone(BERLIN).date() <= self.last
        )

    def next_visit(self, after: datetime, grace: timedelta = timedelta(0)) -> Occurrence | None:
        """The first visit that is still going on `grace` after `after` (or starts later)."""
        for visit in self.visits:
            if visit.ends >= after + grace:
                return visit
        return None

    def add_working_hours(self, start: datetime, hours: float, hours_of: WorkingHours):
        """The moment `hours` working hours after `start` (closed days and days off skipped,
        each day's hours taken in local time, so a daylight-saving night changes nothing);
        None if that lies beyond the plan."""
        remaining = timedelta(hours=hours)
        day = start.astimezone(BERLIN).date()
        while day <= self.last:
            if day.weekday() in hours_of.weekdays and day not in self.closed:
                opens, closes = local(day, hours_of.starts), local(day, hours_of.ends)
                begin = max(opens, start.astimezone(BERLIN))
                if begin < closes:
                    if begin + remaining <= closes:
                        return (begin + remaining).astimezone(UTC)
                    remaining -= closes - begin
            day += timedelta(days=1)
        return None

    # --- kept on the school as JSON ------------------------------------------------------

    def dumps(self) -> str:
        return json.dumps(
            {
                "first": self.first.isoformat(),
                "last": self.last.isoformat(),
                "visits": [
                    [v.starts.isoformat(), v.ends.isoformat(), v.person_id, v.manager_id, v.extra]
                    for v in self.visits
                ],
                "closed": sorted(day.isoformat() for day in self.closed),
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: str, school_id: int) -> "Plan":
        data = json.loads(text)
        visits = [
            Occurrence(
                datetime.fromisoformat(starts).astimezone(BERLIN),
                datetime.fromisoformat(ends).astimezone(BERLIN),
                school_id,
                person,
                manager,
                extra,
            )
            for starts, ends, person, manager, extra in data["visits"]
        ]
        return cls(
            date.fromisoformat(data["first"]),
            date.fromisoformat(data["last"]),
            visits,
            {date.fromisoformat(day) for day in data["closed"]},
        )
