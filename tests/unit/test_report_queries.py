"""Report figures on a small, hand-computed dataset built through the real services."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from campus.admin.services import set_l1_unresolvable_categories, system_actor
from campus.extensions import db
from campus.models import report_days
from campus.reports.facts import rebuild_facts
from campus.reports.overview import backlog, full_report
from campus.reports.period import Period
from campus.reports.queries import Scope, first_level_resolution_rate
from campus.tickets import services
from campus.tickets.filing import report_ticket
from campus.unit_of_work import work
from tests.tickets_helpers import ANALYSIS

BERLIN = ZoneInfo("Europe/Berlin")
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
HOUR = 3600


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A Berlin wall-clock time in 2026 (aware, converted by the services to UTC)."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def filed(world, when, category, teacher=None):
    return report_ticket(
        teacher or world.teacher,
        title="Störung",
        description="…",
        category=category,
        impact="impaired",
        now=when,
    )


@pytest.fixture
def march(world):
    """The dataset; each line says what the ticket contributes to the figures."""
    m, sh, t = world.manager, world.system_house, world.teacher
    # A: resolved at level 1 -> first-level; first response 1 h, resolution 3 h
    a = filed(world, at(2, 10), "projector_display")
    services.claim(m, a, now=at(2, 11))
    services.resolve(m, a, "Kabel", now=at(2, 13))
    # B: escalated, resolved at level 2 (could have been level 1); 2 h / 52 h / level 2: 48 h
    b = filed(world, at(3, 10), "printer")
    services.claim(m, b, now=at(3, 12))
    services.escalate(m, b, ANALYSIS, now=at(3, 14))
    services.claim(sh, b, now=at(4, 9))
    services.resolve(sh, b, "Fixiereinheit", l1_capable=True, now=at(5, 14))
    # C: resolved at level 1, reopened, then escalated -> counts as escalated; reopened
    c = filed(world, at(4, 10), "projector_display")
    services.claim(m, c, now=at(4, 10, 30))
    services.resolve(m, c, "Neustart", now=at(4, 12))
    services.reopen(t, c, "Wieder kaputt", now=at(5, 8))
    services.escalate(m, c, ANALYSIS, now=at(5, 12))
    services.resolve(sh, c, "Mainboard", l1_capable=False, now=at(6, 12))
    # D: cancelled -> counted apart
    d = filed(world, at(5, 9), "other")
    services.cancel(t, d, "Erledigt", now=at(5, 10))
    # E: in progress since 6 March, first response after 4 h
    e = filed(world, at(6, 10), "network_wifi")
    services.claim(m, e, now=at(6, 14))
    # F: filed in February, resolved in March -> not in the period
    f = filed(world, at(28, 10, month=2), "printer")
    services.resolve(m, f, "Toner", now=at(2, 9))
    # G: 31 March 23:30 in Berlin (21:30 UTC, summer time) -> still March
    filed(world, at(31, 23, 30), "printer")
    # H: 1 April 00:10 in Berlin (31 March 22:10 UTC) -> April, not March
    filed(world, at(1, 0, 10, month=4), "printer")
    # I: 1 March 00:30 in Berlin (28 February 23:30 UTC) -> March
    filed(world, at(1, 0, 30), "tablet_notebook")
    # J: another campus -> outside the manager's scope, inside the admin's
    filed(world, at(10, 9), "printer", teacher=world.far_teacher)
    db.session.commit()
    return world


def summary(scope) -> object:
    return first_level_resolution_rate(MARCH, scope, None)[0]


def test_resolution_figures_match_the_hand_count(march):
    s = summary(Scope([march.teacher.school.campus_id]))
    assert (s.recorded, s.cancelled) == (6, 1)  # A B C E G I; D apart
    assert s.resolved_first_level == 1  # only A: C was escalated after its reopening
    assert s.flr == pytest.approx(1 / 6)
    assert s.resolved == 3 and s.share_of_resolved == pytest.approx(1 / 3)
    assert s.escalated == 2 and s.escalation_rate == pytest.approx(2 / 6)
    assert s.l1_capable_share == pytest.approx(1 / 2)
    assert s.reopened == 1 and s.reopen_rate == pytest.approx(1 / 3)


def test_net_flr_leaves_out_categories_level_one_cannot_resolve(march):
    with work():  # the figures are rebuilt by a job after the commit
        set_l1_unresolvable_categories(system_actor(), ["printer"])
    s = summary(Scope([march.teacher.school.campus_id]))
    assert (s.net_recorded, s.net_resolved_first_level) == (4, 1)  # without B and G
    assert s.net_flr == pytest.approx(1 / 4)
    assert s.flr == pytest.approx(1 / 6)  # the plain rate is unchanged


def test_times_are_nearest_rank_median_and_90th_percentile_by_bucket(march):
    """Each figure is the upper bound of the bucket that holds rank ceil(p*n)."""
    times = summary(Scope([march.teacher.school.campus_id])).times
    first = times["first_response"]  # 0.5, 1, 2, 4 h -> ranks 2 and 4
    assert (first.n, first.median, first.p90) == (4, 1 * HOUR, 4 * HOUR)
    resolution = times["resolution"]  # 3, 50, 52 h; 50 and 52 h lie in (2 d, 2.5 d]
    assert (resolution.n, resolution.median, resolution.p90) == (3, 60 * HOUR, 60 * HOUR)
    level2 = times["level2"]  # C 24 h (escalated 5 March), B 48 h
    assert (level2.n, level2.median, level2.p90) == (2, 24 * HOUR, 48 * HOUR)


def test_facts_kept_by_the_services_equal_a_rebuild_from_scratch(march):
    """Every action above changed the facts incrementally; recomputing gives the same."""
    columns = [c for c in report_days.columns]
    kept = sorted(db.session.execute(select(*columns)).all())
    rebuild_facts()
    rebuilt = sorted(row for row in db.session.execute(select(*columns)).all() if any(row[5:]))
    kept = [row for row in kept if any(row[5:])]  # rows that went back to zero
    assert kept == rebuilt


def test_admin_scope_counts_every_campus(march):
    assert summary(Scope(None)).recorded == 7  # plus J


def test_breakdowns_split_the_same_tickets(march, manager_figures):
    scope = Scope(None)
    by_campus = {r.label: r.recorded for r in first_level_resolution_rate(MARCH, scope, "campus")}
    assert by_campus == {"Campus Nord": 6, "Campus Süd": 1}
    by_category = {r.key: r.recorded for r in first_level_resolution_rate(MARCH, scope, "category")}
    assert by_category == {
        "projector_display": 2,
        "printer": 3,
        "network_wifi": 1,
        "tablet_notebook": 1,
        "other": 0,  # only D, which was cancelled
    }
    by_manager = {
        r.label: (r.recorded, r.resolved_first_level)
        for r in first_level_resolution_rate(MARCH, scope, "manager")
    }
    # G, I and J were never taken on: they belong to no manager yet
    assert by_manager == {march.manager.display_name: (4, 1), "": (3, 0)}
    by_device = first_level_resolution_rate(MARCH, scope, "device_type")
    assert [(r.key, r.recorded) for r in by_device] == [("none", 7)]


def test_months_follow_berlin_calendar_days(march):
    spring = Period(date(2026, 3, 1), date(2026, 4, 30))
    months = first_level_resolution_rate(spring, Scope(None), "month")
    assert [(r.key, r.recorded) for r in months] == [("2026-03", 7), ("2026-04", 1)]


def test_an_empty_period_has_no_rates_and_no_division_by_zero(march):
    empty = Period(date(2025, 1, 1), date(2025, 1, 31))
    report = full_report(empty, Scope(None), now=at(1, 12, month=4))
    assert report.summary.recorded == 0
    assert report.summary.flr is None and report.summary.net_flr is None
    assert report.summary.times == {}
    assert report.trend is None
    assert all(r.recorded == 0 for r in report.breakdowns["month"])


def test_backlog_counts_tickets_open_at_the_period_end_by_level_and_age(march):
    open_then = backlog(MARCH.end, Scope([march.teacher.school.campus_id]))
    # E in progress (26 days), G new (30 min), I new (31 days); A..D resolved or cancelled
    assert open_then == {(1, "7_to_30_days"): 1, (1, "under_1_day"): 1, (1, "over_30_days"): 1}


def test_backlog_reads_the_state_at_that_moment_not_today(march):
    # On 4 March just after noon: B was at the system house, I still new; A, C and F
    # were resolved by then (C was reopened only the next day), E not yet filed.
    noon = at(4, 12, 0) + timedelta(minutes=1)
    open_then = backlog(noon, Scope([march.teacher.school.campus_id]))
    assert open_then == {(2, "1_to_3_days"): 1, (1, "3_to_7_days"): 1}


def test_whole_months_and_partial_edges_add_up(march):
    """A period of a partial month and a whole one reads day rows and a month row."""
    late_feb_and_march = Period(date(2026, 2, 28), date(2026, 3, 31))
    assert late_feb_and_march.spans() == [
        ("day", date(2026, 2, 28), date(2026, 2, 28)),
        ("month", date(2026, 3, 1), date(2026, 3, 1)),
    ]
    assert summary_for(late_feb_and_march).recorded == 8  # March's 7 and F
    first_half = Period(date(2026, 3, 1), date(2026, 3, 5))  # A, B, C, I (D cancelled)
    assert summary_for(first_half).recorded == 4


def summary_for(period):
    return first_level_resolution_rate(period, Scope(None), None)[0]


def test_the_trend_leaves_out_the_running_month(march):
    """In mid-April, March is complete and April is not: one month is too few for a trend."""
    spring = Period(date(2026, 3, 1), date(2026, 4, 30))
    assert full_report(spring, Scope(None), now=at(15, 12, month=4)).trend is None
    assert full_report(spring, Scope(None), now=at(15, 12, month=5)).trend is not None


def facts_match_a_rebuild() -> bool:
    columns = list(report_days.columns)
    kept = sorted(r for r in db.session.execute(select(*columns)).all() if any(r[5:]))
    rebuild_facts()
    rebuilt = sorted(r for r in db.session.execute(select(*columns)).all() if any(r[5:]))
    return kept == rebuilt


def test_durations_across_the_change_to_summer_time_are_real_hours(world):
    # 29 March 2026: clocks go from 02:00 to 03:00; 01:30 to 03:30 is one real hour.
    ticket = filed(world, at(29, 1, 30), "printer")
    services.claim(world.manager, ticket, now=at(29, 3, 30))
    db.session.commit()
    first = summary_for(Period(date(2026, 3, 29), date(2026, 3, 29))).times["first_response"]
    assert first.median == HOUR
    assert facts_match_a_rebuild()


def test_releasing_a_deactivated_managers_tickets_keeps_the_facts_right(world):
    from campus.admin.services import set_user_active

    ticket = filed(world, at(2, 10), "printer")
    services.claim(world.manager, ticket, now=at(2, 11))
    services.escalate(world.manager, ticket, ANALYSIS, now=at(2, 12))
    db.session.commit()
    set_user_active(system_actor(), world.manager, False)
    db.session.commit()
    assert ticket.l1_assignee_id is None
    assert facts_match_a_rebuild()


def test_a_month_read_as_its_month_row_less_some_days_keeps_its_name(march):
    """3 March to 30 April: March is its month row less 1 and 2 March; by month, those
    tickets are still March's (not a nameless group the chart would drop)."""
    period = Period(date(2026, 3, 3), date(2026, 4, 30))
    assert period.fact_ranges(date(2026, 11, 1))[1] == [("day", date(2026, 3, 1), date(2026, 3, 2))]
    months = first_level_resolution_rate(period, Scope(None), "month")
    # B, C, E, G and J (A on the 2nd and I on the 1st left out, D cancelled); H in April
    assert [(r.key, r.recorded) for r in months] == [("2026-03", 5), ("2026-04", 1)]
