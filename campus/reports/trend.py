"""The monthly first-level resolution rate as a chart: which month is still running, the
trend over the finished months (least squares), and where each line and label goes.

Pure arithmetic, no database and no Flask: the reports hand it their month rows
(queries.ResolutionRow), templates/reports/_charts.html draws what it works out.
The running month is drawn but kept out of the trend: most of its tickets are still
open, so its rate is low for now and would bend the trend down at the end.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime

from campus.reports.period import BERLIN

# The drawing, in the SVG's own units. At 480 units wide and a font of 15, text is
# 11.25 CSS px when a phone shows the chart 360 px wide (the CSS sets a smaller font on
# wide screens, where the chart is drawn larger).
WIDTH, PLOT_HEIGHT = 480, 190
LEFT, RIGHT, TOP = 58, 12, 26
INSET = 18  # the first and last month stand off the plot's edges, their labels with them
FONT = 15
CHAR = 0.65 * FONT  # a digit's width (DejaVu Sans: 0.64 em), a little generous
ROW = 20  # one line of labels under the plot


def running_month(now: datetime) -> str:
    """The month (YYYY-MM, Berlin) that has not ended at `now`."""
    return now.astimezone(BERLIN).strftime("%Y-%m")


@dataclass(frozen=True)
class MonthPoint:
    key: str  # YYYY-MM
    rate: float | None  # resolved at level 1 of the recorded; None without tickets
    n: int  # recorded tickets
    running: bool = False

    @property
    def first_day(self) -> date:
        return date(int(self.key[:4]), int(self.key[5:7]), 1)

    @property
    def short(self) -> str:
        """The axis label: 03/26."""
        return f"{self.key[5:7]}/{self.key[2:4]}"


@dataclass(frozen=True)
class Fit:
    """A straight line through (month index, percent)."""

    slope: float  # percentage points per month
    intercept: float  # percent at index 0

    def at(self, index: float) -> float:
        return self.intercept + self.slope * index


def least_squares(points: list[tuple[float, float]]) -> Fit | None:
    """The ordinary least-squares line through the points; None for fewer than two
    distinct x values."""
    if len({x for x, _y in points}) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return Fit(slope=slope, intercept=mean_y - slope * mean_x)


def _clip(fit: Fit, first: float, last: float) -> tuple[tuple[float, float], ...] | None:
    """The part of the line between x = first and x = last that lies within 0-100 %."""
    if fit.slope:
        bounds = sorted(((0 - fit.intercept) / fit.slope, (100 - fit.intercept) / fit.slope))
        first, last = max(first, bounds[0]), min(last, bounds[1])
    elif not 0 <= fit.intercept <= 100:
        return None
    if first >= last:
        return None
    return ((first, fit.at(first)), (last, fit.at(last)))


@dataclass(frozen=True)
class MonthChart:
    """Everything the trend chart shows, with the positions to draw it at."""

    points: list[MonthPoint]
    fit: Fit | None  # over the finished months with tickets
    fitted: list[int]  # the indexes of those months
    target: float | None = None  # a share (0.6 for 60 %), set by the administrators

    # --- figures -------------------------------------------------------------------

    @property
    def slope(self) -> float | None:
        """The trend in percentage points per month, None without one."""
        return self.fit.slope if self.fit else None

    @property
    def running(self) -> MonthPoint | None:
        return next((p for p in self.points if p.running), None)

    @property
    def has_data(self) -> bool:
        return any(p.rate is not None for p in self.points)

    @property
    def finished_with_data(self) -> list[tuple[int, MonthPoint]]:
        return [(i, p) for i, p in enumerate(self.points) if p.rate is not None and not p.running]

    # --- geometry (SVG units) ------------------------------------------------------

    width, left, right_edge, row = WIDTH, LEFT, WIDTH - RIGHT, ROW

    @property
    def plot_width(self) -> float:
        """From the first month to the last."""
        return WIDTH - LEFT - RIGHT - 2 * INSET

    @property
    def step(self) -> float:
        return self.plot_width / max(len(self.points) - 1, 1)

    def x(self, index: float) -> float:
        if len(self.points) == 1:
            return LEFT + INSET + self.plot_width / 2
        return LEFT + INSET + self.step * index

    @staticmethod
    def y(percent: float) -> float:
        return TOP + PLOT_HEIGHT * (1 - percent / 100)

    @property
    def label_every(self) -> int:
        """Every how many months an axis label fits (counted back from the last month,
        which is always labelled)."""
        return _every(5 * CHAR + 8, self.step, len(self.points))

    def labelled(self, index: int) -> bool:
        return (len(self.points) - 1 - index) % self.label_every == 0

    @property
    def n_rows(self) -> int:
        """How many lines the counts under the plot take: 1, or 2 staggered when the
        widest count does not fit between two months."""
        return 1 if self._n_width <= self.step or len(self.points) == 1 else 2

    @property
    def n_every(self) -> int:
        """Every how many months a count is written (1 while they fit in n_rows lines)."""
        return _every(self._n_width, self.step * self.n_rows, len(self.points))

    def n_shown(self, index: int) -> bool:
        return (len(self.points) - 1 - index) % self.n_every == 0

    def n_y(self, index: int) -> float:
        """The baseline of a month's count: staggered over n_rows lines."""
        row = ((len(self.points) - 1 - index) // self.n_every) % self.n_rows
        return self.axis_y + ROW * (2 + row)

    @property
    def _n_width(self) -> float:
        widest = max((p.n for p in self.points), default=0)
        digits = len(str(widest))
        return (digits + (digits - 1) // 3) * CHAR + 8  # with thousands separators

    @property
    def axis_y(self) -> float:
        return TOP + PLOT_HEIGHT

    @property
    def height(self) -> float:
        return self.axis_y + ROW * (1 + self.n_rows) + 10

    def line(self) -> list[tuple[float, float]]:
        """The finished months with tickets, joined."""
        return [(self.x(i), self.y(p.rate * 100)) for i, p in self.finished_with_data]

    def running_segment(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """Dashed: from the last finished month with tickets to the running month."""
        running = self.running
        finished = self.finished_with_data
        if running is None or running.rate is None or not finished:
            return None
        index, last = finished[-1]
        here = self.points.index(running)
        return (
            (self.x(index), self.y(last.rate * 100)),
            (self.x(here), self.y(running.rate * 100)),
        )

    def trend_line(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The fitted line over the finished months it was fitted to, within 0-100 %."""
        if self.fit is None:
            return None
        clipped = _clip(self.fit, self.fitted[0], self.fitted[-1])
        if clipped is None:
            return None
        (x0, p0), (x1, p1) = clipped
        return ((self.x(x0), self.y(p0)), (self.x(x1), self.y(p1)))

    @property
    def target_y(self) -> float | None:
        return None if self.target is None else self.y(self.target * 100)


def _every(width: float, room: float, count: int) -> int:
    if count <= 1 or room <= 0:
        return 1
    return max(1, math.ceil(width / room))


def month_chart(rows, now: datetime, target: float | None = None) -> MonthChart:
    """The chart of the month rows (key YYYY-MM, recorded, flr) as they stand at `now`:
    months after the running one are left out (nothing can have happened in them), the
    running one is marked, and the trend is fitted to the finished months with tickets."""
    running = running_month(now)
    points = [
        MonthPoint(key=row.key, rate=row.flr, n=row.recorded, running=row.key == running)
        for row in rows
        if row.key <= running
    ]
    fitted = [i for i, p in enumerate(points) if p.rate is not None and not p.running]
    fit = least_squares([(i, points[i].rate * 100) for i in fitted])
    return MonthChart(points=points, fit=fit, fitted=fitted, target=target)
