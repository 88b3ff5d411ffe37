"""The timetable worked out into dates, and due dates on it: weekends, holidays, cancelled
and swapped days, substitutes, daylight-saving changes (Europe/Berlin), and the next visit
seen from every day of the week. Pure calculation: hand-picked dates, hand-computed results."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from campus.timetable.schedule import (
    BERLIN,
    CANCELLED,
    EXTRA,
    Away,
    OneOff,
    Plan,
    Slot,
    Timetable,
    WorkingHours,
)

SCHOOL, OTHER = 10, 11
ANNA, BERT = 1, 2  # two campus managers
HOURS = WorkingHours(time(8), time(16), frozenset(range(5)))
TUE, THU = 1, 3


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def week_timetable(**extra) -> Timetable:
    """Anna: Tuesday 8-12 and Thursday 8-12 at SCHOOL; Bert: Wednesday 13-15 at OTHER."""
    return Timetable(
        slots=[
            Slot(ANNA, SCHOOL, TUE, time(8), time(12)),
            Slot(ANNA, SCHOOL, THU, time(8), time(12)),
            Slot(BERT, OTHER, 2, time(13), time(15)),
        ],
        **extra,
    )


def plan(timetable: Timetable, first=date(2026, 11, 23), days=120) -> Plan:
    return timetable.plan(SCHOOL, first, first + timedelta(days=days))


# --- occurrences -----------------------------------------------------------------------


def test_the_weekly_visits_fall_on_their_weekdays_in_local_time():
    visits = week_timetable().occurrences(date(2026, 11, 23), date(2026, 11, 29))
    assert [(v.starts, v.ends, v.school_id, v.person_id) for v in visits] == [
        (berlin(2026, 11, 24, 8), berlin(2026, 11, 24, 12), SCHOOL, ANNA),
        (berlin(2026, 11, 25, 13), berlin(2026, 11, 25, 15), OTHER, BERT),
        (berlin(2026, 11, 26, 8), berlin(2026, 11, 26, 12), SCHOOL, ANNA),
    ]


def test_holidays_cancel_the_regular_visits_but_not_a_planned_extra_one():
    timetable = week_timetable(
        closed=[(date(2026, 12, 23), date(2027, 1, 6))],
        changes=[OneOff(ANNA, SCHOOL, date(2027, 1, 5), EXTRA, time(9), time(11))],
    )
    visits = timetable.occurrences(date(2026, 12, 21), date(2027, 1, 10))
    days = [v.day for v in visits if v.school_id == SCHOOL]
    # Tuesday 22 December still; then the extra visit of 5 January; Thursday 7 January
    assert days == [date(2026, 12, 22), date(2027, 1, 5), date(2027, 1, 7)]
    assert [v.extra for v in visits if v.school_id == SCHOOL] == [False, True, False]


def test_a_swapped_day_moves_the_visit():
    timetable = week_timetable(
        changes=[
            OneOff(ANNA, SCHOOL, date(2026, 12, 1), CANCELLED, time(8), time(12)),
            OneOff(ANNA, SCHOOL, date(2026, 12, 2), EXTRA, time(10), time(13)),
        ]
    )
    visits = [
        v
        for v in timetable.occurrences(date(2026, 11, 30), date(2026, 12, 6))
        if v.school_id == SCHOOL
    ]
    assert [(v.starts, v.ends) for v in visits] == [
        (berlin(2026, 12, 2, 10), berlin(2026, 12, 2, 13)),
        (berlin(2026, 12, 3, 8), berlin(2026, 12, 3, 12)),
    ]


def test_an_absence_with_a_substitute_keeps_the_visits_one_without_cancels_them():
    with_substitute = week_timetable(
        absences=[Away(ANNA, date(2026, 12, 1), date(2026, 12, 3), BERT)]
    )
    visits = [
        v
        for v in with_substitute.occurrences(date(2026, 11, 30), date(2026, 12, 6))
        if v.school_id == SCHOOL
    ]
    assert [(v.day, v.person_id, v.manager_id, v.by_substitute) for v in visits] == [
        (date(2026, 12, 1), BERT, ANNA, True),
        (date(2026, 12, 3), BERT, ANNA, True),
    ]
    alone = week_timetable(absences=[Away(ANNA, date(2026, 12, 1), date(2026, 12, 3))])
    assert [
        v.day
        for v in alone.occurrences(date(2026, 11, 30), date(2026, 12, 6))
        if v.school_id == SCHOOL
    ] == []


def test_visits_keep_their_local_time_across_both_daylight_saving_changes():
    timetable = Timetable(slots=[Slot(ANNA, SCHOOL, day, time(8), time(12)) for day in range(7)])
    spring = timetable.occurrences(date(2027, 3, 27), date(2027, 3, 29))
    assert [v.starts.astimezone(UTC).hour for v in spring] == [7, 6, 6]  # CET, then CEST
    autumn = timetable.occurrences(date(2026, 10, 24), date(2026, 10, 26))
    assert [v.starts.astimezone(UTC).hour for v in autumn] == [6, 7, 7]
    assert all(v.starts.astimezone(BERLIN).hour == 8 for v in spring + autumn)
    assert all(v.ends - v.starts == timedelta(hours=4) for v in spring + autumn)


# --- the next visit, from every day of the week --------------------------------------------

# (moment of asking, Berlin) -> start of the visit that counts (Tuesday/Thursday 8-12)
NEXT_FROM = [
    (berlin(2026, 11, 23, 10), berlin(2026, 11, 24, 8)),  # Monday -> Tuesday
    (berlin(2026, 11, 24, 7), berlin(2026, 11, 24, 8)),  # Tuesday early -> today
    (berlin(2026, 11, 24, 10), berlin(2026, 11, 24, 8)),  # Tuesday during the visit -> it
    (berlin(2026, 11, 24, 13), berlin(2026, 11, 26, 8)),  # Tuesday after it -> Thursday
    (berlin(2026, 11, 25, 9), berlin(2026, 11, 26, 8)),  # Wednesday -> Thursday
    (berlin(2026, 11, 26, 12, 30), berlin(2026, 12, 1, 8)),  # Thursday after -> next Tuesday
    (berlin(2026, 11, 27, 9), berlin(2026, 12, 1, 8)),  # Friday -> Tuesday
    (berlin(2026, 11, 28, 9), berlin(2026, 12, 1, 8)),  # Saturday -> Tuesday
    (berlin(2026, 11, 29, 9), berlin(2026, 12, 1, 8)),  # Sunday -> Tuesday
]


@pytest.mark.parametrize(("asked", "starts"), NEXT_FROM, ids=lambda v: f"{v:%a %H:%M}")
def test_the_next_visit_seen_from_every_day_of_the_week(asked, starts):
    visit = plan(week_timetable()).next_visit(asked)
    assert visit is not None and visit.starts == starts


def test_a_visit_about_to_end_does_not_count_with_a_grace_period():
    almost_over = berlin(2026, 11, 24, 11, 45)
    the_plan = plan(week_timetable())
    assert the_plan.next_visit(almost_over).starts == berlin(2026, 11, 24, 8)
    assert the_plan.next_visit(almost_over, timedelta(minutes=30)).starts == berlin(2026, 11, 26, 8)


def test_no_visit_beyond_the_plan():
    assert plan(Timetable()).next_visit(berlin(2026, 11, 23, 10)) is None


# --- working hours -----------------------------------------------------------------------


def hours_after(start: datetime, n: float, **extra) -> datetime:
    the_plan = plan(week_timetable(**extra), first=start.date() - timedelta(days=1))
    result = the_plan.add_working_hours(start, n, HOURS)
    return result.astimezone(BERLIN)


def test_working_hours_skip_the_weekend():
    # Friday 15:00 + 2 h: one hour on Friday, one on Monday morning
    assert hours_after(berlin(2026, 11, 27, 15), 2) == berlin(2026, 11, 30, 9)
    # filed on Saturday: the clock starts on Monday at 8
    assert hours_after(berlin(2026, 11, 28, 11), 2) == berlin(2026, 11, 30, 10)
    # filed before hours: from 8 the same day; filed after hours: from 8 the next day
    assert hours_after(berlin(2026, 11, 24, 6), 1) == berlin(2026, 11, 24, 9)
    assert hours_after(berlin(2026, 11, 24, 18), 1) == berlin(2026, 11, 25, 9)
    # ending exactly at closing time stays on that day
    assert hours_after(berlin(2026, 11, 24, 14), 2) == berlin(2026, 11, 24, 16)


def test_working_hours_skip_holidays():
    christmas = [(date(2026, 12, 23), date(2027, 1, 6))]
    # Tuesday 22 December 15:00 + 8 h: one hour, then the holidays, then 7 h on 7 January
    assert hours_after(berlin(2026, 12, 22, 15), 8, closed=christmas) == berlin(2027, 1, 7, 15)
    # a public holiday on a Thursday
    ascension = [(date(2027, 5, 6), date(2027, 5, 6))]
    assert hours_after(berlin(2027, 5, 5, 15), 2, closed=ascension) == berlin(2027, 5, 7, 9)


def test_working_hours_across_the_daylight_saving_nights():
    # Friday 26 March 2027 15:00 CET + 2 h = Monday 29 March 9:00 CEST: local hours count
    spring = plan(week_timetable(), first=date(2027, 3, 22)).add_working_hours(
        berlin(2027, 3, 26, 15), 2, HOURS
    )
    assert spring == datetime(2027, 3, 29, 7, tzinfo=UTC)
    autumn = plan(week_timetable(), first=date(2026, 10, 19)).add_working_hours(
        berlin(2026, 10, 23, 15), 2, HOURS
    )
    assert autumn == datetime(2026, 10, 26, 8, tzinfo=UTC)


def test_working_hours_beyond_the_plan_are_none():
    short = week_timetable().plan(SCHOOL, date(2026, 11, 23), date(2026, 11, 24))
    assert short.add_working_hours(berlin(2026, 11, 24, 15), 4, HOURS) is None


def test_working_hours_are_read_from_the_settings_with_clear_errors():
    assert WorkingHours.parse("07:30-16:00", "0,1,2,3,4") == WorkingHours(
        time(7, 30), time(16), frozenset(range(5))
    )
    for text, days in (
        ("16:00-08:00", "0"),
        ("8-16", "0"),
        ("08:00-16:00", ""),
        ("08:00-16:00", "7"),
    ):
        with pytest.raises(ValueError, match="working hours"):
            WorkingHours.parse(text, days)


def test_a_plan_survives_its_json():
    the_plan = plan(
        week_timetable(
            closed=[(date(2026, 12, 23), date(2027, 1, 6))],
            absences=[Away(ANNA, date(2026, 12, 1), date(2026, 12, 1), BERT)],
            changes=[OneOff(ANNA, SCHOOL, date(2026, 12, 2), EXTRA, time(10), time(13))],
        )
    )
    again = Plan.loads(the_plan.dumps(), SCHOOL)
    assert again == the_plan
    assert again.next_visit(berlin(2026, 11, 30, 9)).person_id == BERT
