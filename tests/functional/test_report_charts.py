"""Truthful charts and the administrators' start page, through the real stack: a dataset
whose last month is still running, the trend over the finished months only, the target
line, the evaluation report's chart and school table, the start page's backlog and its
oldest blocking tickets."""

import re
from datetime import date, datetime, timedelta

import pytest

from campus.extensions import db
from campus.models import utcnow
from campus.reports.period import BERLIN
from campus.tickets import services
from campus.tickets.filing import report_ticket
from tests.conftest import field_errors
from tests.tickets_helpers import ANALYSIS

ENGLISH = {"Accept-Language": "en"}


def months_back(back: int, day: int, hour: int = 9) -> datetime:
    """`day` at `hour` (Berlin) in the month `back` months before the running one."""
    today = utcnow().astimezone(BERLIN).date()
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return datetime(year, month + 1, day, hour, tzinfo=BERLIN)


def key(back: int) -> str:
    return months_back(back, 1).strftime("%Y-%m")


def file(world, when=None, impact="impaired", teacher=None):
    return report_ticket(
        teacher or world.teacher,
        title="Störung",
        description="…",
        category="printer",
        impact=impact,
        now=when or utcnow(),
    )


@pytest.fixture
def rising(world):
    """Three finished months at 25, 50 and 75 % resolved on site (4 tickets each), and a
    running month with 2 tickets, both still open: 0 % so far. Counting the running month
    would turn the trend from +25 to -5 points a month."""
    for back, solved in ((3, 1), (2, 2), (1, 3)):
        for n in range(4):
            ticket = file(world, months_back(back, 10 + n))
            if n < solved:
                services.resolve(world.manager, ticket, "Kabel", now=months_back(back, 10 + n, 11))
    for _ in range(2):
        file(world)
    db.session.commit()
    return world


def period_args() -> str:
    first = months_back(3, 1).date()
    return f"preset=custom&start={first.isoformat()}&end={utcnow().astimezone(BERLIN).date()}"


def trend_chart(html: str, chart_id: str) -> str:
    return html.split(f'aria-labelledby="{chart_id}-title"')[1].split("</figure>")[0]


def dots(svg: str) -> dict[str, str]:
    """{month: the dot's class}."""
    return {
        month: css
        for css, month in re.findall(r'<circle [^>]*class="(dot[^"]*)" data-month="([\d-]+)"', svg)
    }


def counts_per_month(svg: str) -> dict[str, str]:
    return dict(re.findall(r'class="axis n" data-month="([\d-]+)">([^<]+)</text>', svg))


def test_the_running_month_is_marked_and_left_out_of_the_trend(rising, as_user):
    page = as_user(rising.admin).get(f"/reports/?{period_args()}", headers=ENGLISH)
    assert page.status_code == 200
    svg = trend_chart(page.text, "chart-month")
    assert dots(svg) == {key(3): "dot", key(2): "dot", key(1): "dot", key(0): "dot running"}
    assert 'class="line running"' in svg  # the dashed segment to the running month
    assert 'class="trend"' in svg
    assert counts_per_month(svg) == {key(3): "4", key(2): "4", key(1): "4", key(0): "2"}
    caption = page.text.split('id="chart-month-caption"')[1].split("</figcaption>")[0]
    assert "Trend over the completed months: +25.0 percentage points per month." in caption
    running = months_back(0, 1).strftime("%B %Y")
    assert f"{running} is still running" in caption and "left out of the trend" in caption
    assert 'class="target"' not in svg  # no target set


def test_the_german_page_says_the_slope_in_words(rising, as_user):
    page = as_user(rising.admin).get(f"/reports/?{period_args()}")
    assert "+25,0 Prozentpunkte pro Monat" in page.text


def test_a_falling_rate_has_a_negative_slope(world, as_user):
    for back, solved in ((2, 3), (1, 1)):
        for n in range(4):
            ticket = file(world, months_back(back, 10 + n))
            if n < solved:
                services.resolve(world.manager, ticket, "Kabel", now=months_back(back, 10 + n, 11))
    db.session.commit()
    page = as_user(world.admin).get(f"/reports/?{period_args()}", headers=ENGLISH)
    assert "-50.0 percentage points per month" in page.text


def test_the_target_line_appears_only_once_set(rising, as_user):
    admin = as_user(rising.admin)
    response = admin.post("/admin/report-settings", data={"target": "60 %"})
    assert response.status_code == 302
    assert 'value="60"' in admin.get("/admin/report-settings").text
    svg = trend_chart(admin.get(f"/reports/?{period_args()}", headers=ENGLISH).text, "chart-month")
    target = re.search(r'<line [^>]*y1="([\d.]+)"[^>]*class="target"/>', svg)
    zero = re.search(r'<line [^>]*y1="([\d.]+)"[^>]*class="grid"/>', svg)  # the 0 % line
    hundred = re.findall(r'<line [^>]*y1="([\d.]+)"[^>]*class="grid"/>', svg)[-1]
    y = float(target.group(1))
    assert y == pytest.approx(float(zero.group(1)) + 0.6 * (float(hundred) - float(zero.group(1))))
    assert "Target 60%" in svg
    admin.post("/admin/report-settings", data={"target": ""})
    svg = trend_chart(admin.get(f"/reports/?{period_args()}").text, "chart-month")
    assert 'class="target"' not in svg


@pytest.mark.parametrize("value", ["abc", "0", "101", "60.5", "-5"])
def test_a_target_outside_1_to_100_is_refused_next_to_the_field(world, as_user, value):
    response = as_user(world.admin).post("/admin/report-settings", data={"target": value})
    assert response.status_code == 422
    assert "target" in field_errors(response.text)


def test_changing_only_the_target_rebuilds_no_figures(world, as_user, monkeypatch):
    import campus.admin.report_routes

    called = []
    monkeypatch.setattr(
        campus.admin.report_routes,
        "set_l1_unresolvable_categories",
        lambda *args: called.append(args),
    )
    admin = as_user(world.admin)
    assert admin.post("/admin/report-settings", data={"target": "70"}).status_code == 302
    assert called == []
    admin.post("/admin/report-settings", data={"target": "70", "categories": ["printer"]})
    assert len(called) == 1


def test_the_evaluation_report_has_the_chart_and_a_table_per_school(rising, as_user):
    far = file(rising, months_back(1, 5), teacher=rising.far_teacher)
    services.resolve(rising.far_manager, far, "Neu gestartet", now=months_back(1, 5, 12))
    db.session.commit()
    page = as_user(rising.admin).get(f"/reports/evaluation?{period_args()}", headers=ENGLISH)
    assert page.status_code == 200
    svg = trend_chart(page.text, "chart-month")
    assert dots(svg)[key(0)] == "dot running"
    assert "+" in page.text.split('id="chart-month-caption"')[1].split("</figcaption>")[0]
    schools = page.text.split('id="by-school"')[1].split("</section>")[0]
    rows = re.findall(
        r'<th scope="row" class="fw-normal">([^<]+)</th><td class="text-end">(\d+)</td>'
        r'<td class="text-end">(\d+)</td><td class="text-end">([^<]+)</td>'
        r'<td class="text-end">([^<]+)</td>',
        schools,
    )
    # Helmholtz: 14 recorded, 6 on site (43 %); Phoenix: 1 of 1
    assert rows == [
        ("Helmholtz-Gymnasium", "14", "6", "43%", "0%"),
        ("Phoenix-Gymnasium", "1", "1", "100%", "0%"),
    ]
    assert 'id="by-campus"' in page.text
    # the months' figures for screen readers
    assert re.search(r"<div class=\"visually-hidden\"><table>", page.text)


@pytest.fixture
def open_work(world):
    """Open tickets of known age and level (now: the real time of the test)."""
    now = utcnow()
    m, sh = world.manager, world.system_house
    fresh = file(world, now - timedelta(hours=2), impact="blocking")
    working = file(world, now - timedelta(days=5), impact="blocking")
    services.claim(m, working, now=now - timedelta(days=4))
    old = file(world, now - timedelta(days=40), impact="blocking")
    services.escalate(m, old, ANALYSIS, now=now - timedelta(days=39))
    services.claim(sh, old, now=now - timedelta(days=38))
    file(world, now - timedelta(days=10), impact="minor")  # open, not blocking
    done = file(world, now - timedelta(days=50), impact="blocking")
    services.resolve(m, done, "Getauscht", now=now - timedelta(days=49))  # not open
    far = file(world, now - timedelta(days=20), impact="blocking", teacher=world.far_teacher)
    db.session.commit()
    return world, [old, far, working, fresh]


def test_the_admin_start_page_shows_the_backlog_and_the_oldest_blocking(open_work, as_user):
    world, oldest_first = open_work
    page = as_user(world.admin).get("/admin/")
    assert page.status_code == 200
    cells = dict(
        ((int(level), band), int(n))
        for level, band, n in re.findall(
            r'data-level="(\d)" data-band="(\w+)">(?:<a [^>]*>)?(\d+)<', page.text
        )
    )
    assert cells == {
        (1, "under_1_day"): 1,
        (1, "1_to_3_days"): 0,
        (1, "3_to_7_days"): 1,
        (1, "7_to_30_days"): 2,  # the minor one (10 days) and the far campus's (20 days)
        (1, "over_30_days"): 0,
        (1, "total"): 4,
        (2, "under_1_day"): 0,
        (2, "1_to_3_days"): 0,
        (2, "3_to_7_days"): 0,
        (2, "7_to_30_days"): 0,
        (2, "over_30_days"): 1,
        (2, "total"): 1,
    }
    blocking = page.text.split('id="start-blocking"')[1].split("</section>")[0]
    linked = [int(i) for i in re.findall(r'href="/tickets/(\d+)"', blocking)]
    assert linked == [t.id for t in oldest_first]
    assert "1. Ebene" in blocking and "2. Ebene" in blocking
    assert 'href="/reports/?preset=custom' in page.text
    assert 'href="/reports/evaluation?preset=custom' in page.text
    assert "Lösungsquote der 1. Ebene nach Monat" in page.text  # the chart's title


def test_the_start_page_charts_twelve_finished_months_and_the_running_one(rising, as_user):
    svg = trend_chart(as_user(rising.admin).get("/admin/").text, "chart-start")
    assert len(re.findall(r'class="axis n" data-month', svg)) == 13
    assert dots(svg) == {key(3): "dot", key(2): "dot", key(1): "dot", key(0): "dot running"}
    first = months_back(12, 1).date()
    assert first == date(first.year, first.month, 1)
    assert f'data-month="{first.strftime("%Y-%m")}"' in svg


@pytest.mark.parametrize("role", ["teacher", "manager", "system_house"])
def test_only_administrators_see_the_start_page(world, as_user, role):
    assert as_user(getattr(world, role)).get("/admin/").status_code == 403


def test_the_start_page_without_tickets_says_so(world, as_user):
    page = as_user(world.admin).get("/admin/", headers=ENGLISH)
    assert page.status_code == 200
    assert "No blocking ticket is open." in page.text
    assert "Not enough months with tickets for a trend." in page.text


def test_the_backlog_now_agrees_with_the_backlog_read_from_the_history(open_work):
    """Now, the counts come from the open-ticket indexes; for a past instant, from each
    ticket's last event before it: a second ago, both must say the same."""
    from campus.reports.overview import backlog
    from campus.reports.sums import Scope

    world, _tickets = open_work
    now = utcnow()
    for scope in (Scope(None), Scope([world.teacher.school.campus_id])):
        assert backlog(now, scope, now) == backlog(now - timedelta(seconds=1), scope)
    assert backlog(now, Scope([world.far_teacher.school.campus_id]), now) == {
        (1, "7_to_30_days"): 1
    }
