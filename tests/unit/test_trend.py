"""The monthly chart's arithmetic (campus/reports/trend.py): the running month, the trend
over the finished months, and a drawing that stays readable on a phone."""

from datetime import UTC, datetime

import pytest

from campus.reports.queries import ResolutionRow
from campus.reports.trend import (
    FONT,
    WIDTH,
    Fit,
    MonthChart,
    least_squares,
    month_chart,
    running_month,
)


def month(key: str, recorded: int, first_level: int) -> ResolutionRow:
    return ResolutionRow(key=key, label=key, recorded=recorded, resolved_first_level=first_level)


# Rising by 25 points a month while finished; the running month is low because most of
# its tickets are still open.
ROWS = [
    month("2026-08", 4, 1),  # 25 %
    month("2026-09", 4, 2),  # 50 %
    month("2026-10", 4, 3),  # 75 %
    month("2026-11", 2, 0),  # running: 0 % so far
]
MID_NOVEMBER = datetime(2026, 11, 15, 12, tzinfo=UTC)


def test_the_running_month_is_the_berlin_month_of_now():
    assert running_month(MID_NOVEMBER) == "2026-11"
    # 31 March 22:30 UTC is already 1 April in Berlin (summer time)
    assert running_month(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == "2026-04"
    assert running_month(datetime(2026, 12, 31, 22, 59, tzinfo=UTC)) == "2026-12"
    assert running_month(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == "2027-01"


def test_least_squares_fits_a_straight_line():
    fit = least_squares([(0, 25.0), (1, 50.0), (2, 75.0)])
    assert fit.slope == pytest.approx(25)
    assert fit.intercept == pytest.approx(25)
    noisy = least_squares([(0, 10.0), (1, 30.0), (2, 20.0), (3, 40.0)])
    assert noisy.slope == pytest.approx(8)  # sum((x - 1.5)(y - 25)) / 5 = 40 / 5
    assert least_squares([(0, 50.0)]) is None
    assert least_squares([]) is None


def test_the_running_month_is_marked_and_left_out_of_the_trend():
    chart = month_chart(ROWS, MID_NOVEMBER)
    assert [p.running for p in chart.points] == [False, False, False, True]
    assert chart.running.key == "2026-11"
    assert chart.fitted == [0, 1, 2]
    assert chart.slope == pytest.approx(25)  # with the running month it would be -5
    assert least_squares([(i, r.flr * 100) for i, r in enumerate(ROWS)]).slope == pytest.approx(-5)
    assert [p.n for p in chart.points] == [4, 4, 4, 2]


def test_once_the_month_is_over_it_counts():
    december = datetime(2026, 12, 2, 9, tzinfo=UTC)
    chart = month_chart(ROWS, december)
    assert chart.running is None
    assert chart.fitted == [0, 1, 2, 3]
    assert chart.slope < 0  # November really ended low: the trend says so


def test_months_after_the_running_one_are_left_out():
    rows = [*ROWS, month("2026-12", 0, 0)]
    chart = month_chart(rows, MID_NOVEMBER)
    assert [p.key for p in chart.points] == ["2026-08", "2026-09", "2026-10", "2026-11"]


def test_months_without_tickets_are_gaps_not_zeros():
    rows = [month("2026-07", 4, 2), month("2026-08", 0, 0), month("2026-09", 4, 3)]
    chart = month_chart(rows, MID_NOVEMBER)
    assert chart.points[1].rate is None
    assert chart.fitted == [0, 2]  # the trend keeps the months' real distance
    assert chart.slope == pytest.approx(12.5)
    assert [x for x, _y in chart.line()] == [chart.x(0), chart.x(2)]


def test_no_trend_from_one_finished_month():
    chart = month_chart([month("2026-10", 4, 3), month("2026-11", 3, 0)], MID_NOVEMBER)
    assert chart.slope is None and chart.trend_line() is None
    assert chart.running_segment() is not None  # still drawn, dashed


def test_the_target_line_sits_at_its_rate():
    chart = month_chart(ROWS, MID_NOVEMBER, target=0.6)
    assert chart.target_y == pytest.approx(chart.y(60))
    assert month_chart(ROWS, MID_NOVEMBER).target_y is None


def test_the_trend_line_is_cut_at_zero_and_a_hundred_percent():
    steep = MonthChart(points=[], fit=Fit(slope=60, intercept=-20), fitted=[0, 1, 2])
    (x0, y0), (x1, y1) = steep.trend_line()
    assert y0 == pytest.approx(steep.y(0)) and y1 == pytest.approx(steep.y(100))
    assert x0 == pytest.approx(steep.x(1 / 3)) and x1 == pytest.approx(steep.x(2))
    outside = MonthChart(points=[], fit=Fit(slope=0, intercept=120), fitted=[0, 1])
    assert outside.trend_line() is None


def test_labels_are_readable_on_a_phone():
    """At 360 CSS px wide, the chart's text is at least 11 px (the CSS sets FONT units
    below 576 px)."""
    assert FONT * 360 / WIDTH >= 11


def test_crowded_axes_label_fewer_months_and_stagger_the_counts():
    twelve = [month(f"2025-{m:02d}", 40, 20) for m in range(1, 13)]
    chart = month_chart([*twelve, month("2026-01", 5, 1)], MID_NOVEMBER)
    assert len(chart.points) == 13
    assert chart.label_every == 2
    assert chart.labelled(12) and not chart.labelled(11)  # the last month always
    assert (chart.n_rows, chart.n_every) == (1, 1)  # two digits fit between months
    big = month_chart([month(f"2025-{m:02d}", 81234, 40000) for m in range(1, 13)], MID_NOVEMBER)
    assert (big.n_rows, big.n_every) == (2, 1)  # "81.234" fits only staggered
    assert {big.n_y(i) for i in range(12)} == {big.n_y(0), big.n_y(1)}
    assert big.n_y(0) != big.n_y(1)
    five_years = month_chart(
        [month(f"{y}-{m:02d}", 81234, 40000) for y in range(2021, 2026) for m in range(1, 13)],
        MID_NOVEMBER,
    )
    assert five_years.n_every > 1 and five_years.label_every > 2
