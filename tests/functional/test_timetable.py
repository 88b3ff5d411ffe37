"""The visit timetable through the real stack: who may keep it, what it refuses, due dates
that follow it (substitute, absence, holidays), the on-time shares on a hand-computed
dataset, the queue's due filters, and "next on site"."""

import io
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import func, select

from campus.exceptions import InvalidInput
from campus.extensions import db
from campus.models import Absence, Category, Holiday, Impact, SiteVisit, Ticket, Visit
from campus.reports.period import Period
from campus.reports.queries import Scope, first_level_resolution_rate
from campus.tickets import services
from campus.tickets.filing import report_ticket
from campus.timetable.holidays import read_calendar
from campus.timetable.schedule import BERLIN
from campus.timetable.services import add_absence, add_visit
from campus.unit_of_work import work

TUE, THU = 1, 3


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def coming_monday(weeks: int = 1) -> date:
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=7 * weeks - today.weekday())


@pytest.fixture
def week(world):
    """The world's manager visits its school on Tuesday and Thursday, 8-12."""
    with work():
        for weekday in (TUE, THU):
            add_visit(
                world.admin,
                world.manager,
                school_id=world.teacher.school_id,
                weekday=weekday,
                starts=time(8),
                ends=time(12),
            )
    return world


def file(world, when: datetime, impact=Impact.IMPAIRED, teacher=None) -> Ticket:
    with work():
        ticket = report_ticket(
            teacher or world.teacher,
            title="Beamer flackert",
            description="Seit der zweiten Stunde.",
            category=Category.PROJECTOR_DISPLAY,
            impact=impact,
            now=when.astimezone(BERLIN),
        )
    return ticket


# --- keeping the timetable ---------------------------------------------------------------


def test_the_manager_keeps_their_own_timetable_and_an_admin_everyones(world, as_user):
    manager = as_user(world.manager)
    school = world.teacher.school_id
    form = {
        "visit-school_id": school,
        "visit-weekday": "1",
        "visit-starts": "08:00",
        "visit-ends": "12:00",
    }
    response = manager.post(f"/timetable/{world.manager.id}/visits", data=form)
    assert response.status_code == 302
    page = manager.get(f"/timetable/{world.manager.id}").text
    assert "Helmholtz-Gymnasium" in page
    admin = as_user(world.admin)
    form["visit-weekday"] = "3"
    assert admin.post(f"/timetable/{world.manager.id}/visits", data=form).status_code == 302
    assert db.session.scalar(select(func.count(Visit.id))) == 2
    # another manager, a teacher, the system house: no timetable of someone else's
    for stranger in (world.colleague, world.teacher, world.system_house):
        response = as_user(stranger).post(f"/timetable/{world.manager.id}/visits", data=form)
        assert response.status_code == 404
    assert as_user(world.teacher).get("/timetable").status_code == 403
    assert as_user(world.teacher).get("/today").status_code == 403
    assert db.session.scalar(select(func.count(Visit.id))) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"visit-ends": "07:00"}, "muss nach seinem Beginn enden"),
        ({"visit-starts": "05:00"}, "zwischen 6:00 und 20:00"),
        ({"visit-school_id": ""}, "Bitte wählen Sie eine Schule"),
        ({"visit-weekday": "9"}, "Bitte wählen Sie einen Wochentag"),
        ({"visit-starts": "10:00", "visit-ends": "13:00"}, "ist zu dieser Zeit schon"),
    ],
)
def test_a_visit_that_cannot_be_is_refused_next_to_its_field(week, as_user, change, message):
    form = {
        "visit-school_id": week.teacher.school_id,
        "visit-weekday": "1",
        "visit-starts": "13:00",
        "visit-ends": "15:00",
        **change,
    }
    response = as_user(week.manager).post(f"/timetable/{week.manager.id}/visits", data=form)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(func.count(Visit.id))) == 2  # the two of the fixture


def test_a_school_of_another_campus_cannot_be_planned(world, as_user):
    far_school = world.far_teacher.school_id
    form = {
        "visit-school_id": far_school,
        "visit-weekday": "1",
        "visit-starts": "08:00",
        "visit-ends": "12:00",
    }
    response = as_user(world.manager).post(f"/timetable/{world.manager.id}/visits", data=form)
    assert response.status_code == 422
    assert "gehört zu keinem Campus von" in response.text


def test_an_absence_is_checked(week, as_user):
    monday = coming_monday()
    browser = as_user(week.manager)
    url = f"/timetable/{week.manager.id}/absences"
    cases = [
        (
            {
                "absence-first_day": (monday + timedelta(days=2)).isoformat(),
                "absence-last_day": monday.isoformat(),
            },
            "kann nicht vor dem ersten liegen",
        ),
        (
            {
                "absence-first_day": monday.isoformat(),
                "absence-last_day": monday.isoformat(),
                "absence-substitute_id": week.manager.id,
            },
            "sich selbst vertreten",
        ),
        (
            {
                "absence-first_day": monday.isoformat(),
                "absence-last_day": monday.isoformat(),
                "absence-substitute_id": week.teacher.id,
            },
            "Vertreten kann nur ein aktives",
        ),
        ({"absence-last_day": monday.isoformat()}, "Bitte geben Sie den ersten Tag an"),
    ]
    for form, message in cases:
        response = browser.post(url, data={"absence-reason": "illness", **form})
        assert response.status_code == 422, form
        assert message in response.text
    assert db.session.scalar(select(func.count(Absence.id))) == 0


# --- due dates -----------------------------------------------------------------------------


def test_due_dates_follow_the_timetable_at_filing(week):
    monday = coming_monday()
    ticket = file(week, at(monday, 10))
    assert ticket.respond_by == at(monday + timedelta(days=1), 12)  # Tuesday's visit ends
    # impaired: 24 working hours of 8-16: Monday 6 h, Tuesday 8, Wednesday 8, Thursday 2
    assert ticket.resolve_by == at(monday + timedelta(days=3), 10)
    after_the_visit = file(week, at(monday + timedelta(days=1), 11, 45))
    assert after_the_visit.respond_by == at(monday + timedelta(days=3), 12)  # 15 min left: Thursday
    friday = monday + timedelta(days=4)
    blocking = file(week, at(friday, 15), Impact.BLOCKING)
    assert blocking.respond_by == at(friday + timedelta(days=3), 9)  # 1 h Friday, 1 h Monday
    assert blocking.resolve_by == at(friday + timedelta(days=3), 15)  # 8 h
    minor = file(week, at(monday, 10), Impact.MINOR)
    # 80 working hours: ten days less two hours, on the third Monday
    assert minor.resolve_by == at(monday + timedelta(days=14), 10)


def test_the_api_gives_the_due_dates(week, as_user, token_for):
    ticket = file(week, at(coming_monday(), 10))
    client = as_user(week.teacher).application.test_client()
    answer = client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(week.manager))
    assert answer.status_code == 200
    due = datetime.fromisoformat(answer.json["respond_by"])
    assert due == at(coming_monday() + timedelta(days=1), 12)
    assert datetime.fromisoformat(answer.json["resolve_by"]) == ticket.resolve_by


def test_a_school_without_a_timetable_gets_working_hours(world):
    monday = coming_monday()
    ticket = file(world, at(monday, 10))
    assert ticket.respond_by == at(monday + timedelta(days=2), 10)  # 16 working hours


def test_an_absence_moves_the_open_first_responses_and_a_substitute_keeps_them(week, as_user):
    monday = coming_monday()
    tuesday = monday + timedelta(days=1)
    waiting = file(week, at(monday, 10))
    answered = file(week, at(monday, 10, 30))
    with work():
        services.claim(week.manager, answered, now=at(monday, 11))
    blocking = file(week, at(monday, 10), Impact.BLOCKING)
    blocking_due = blocking.respond_by
    browser = as_user(week.manager)
    form = {
        "absence-first_day": tuesday.isoformat(),
        "absence-last_day": tuesday.isoformat(),
        "absence-reason": "training",
        "absence-substitute_id": week.colleague.id,
    }
    assert browser.post(f"/timetable/{week.manager.id}/absences", data=form).status_code == 302
    db.session.expire_all()
    assert waiting.respond_by == at(tuesday, 12)  # the colleague comes instead
    absence = db.session.scalar(select(Absence))
    assert (
        browser.post(f"/timetable/{week.manager.id}/absences/{absence.id}/delete").status_code
        == 302
    )
    del form["absence-substitute_id"]
    assert browser.post(f"/timetable/{week.manager.id}/absences", data=form).status_code == 302
    db.session.expire_all()
    assert waiting.respond_by == at(monday + timedelta(days=3), 12)  # nobody on Tuesday: Thursday
    assert answered.respond_by == at(tuesday, 12)  # answered already: its due date stays
    assert blocking.respond_by == blocking_due  # working hours, not visits


def test_the_substitute_sees_the_visits_in_their_day_plan_and_preview(week):
    monday = coming_monday()
    with work():
        add_absence(
            week.admin,
            week.manager,
            first_day=monday,
            last_day=monday + timedelta(days=6),
            reason="illness",
            substitute_id=week.colleague.id,
        )
    from campus.timetable.plans import visits_of

    visits, names = visits_of(week.colleague, monday, monday + timedelta(days=6))
    assert [(v.day, v.by_substitute) for v in visits] == [
        (monday + timedelta(days=1), True),
        (monday + timedelta(days=3), True),
    ]
    assert names == {week.manager.id: week.manager.display_name}
    assert visits_of(week.manager, monday, monday + timedelta(days=6))[0] == []


def test_a_holiday_moves_the_next_visit(week, as_user):
    monday = coming_monday()
    tuesday = monday + timedelta(days=1)
    form = {
        "holiday-name": "Beweglicher Ferientag",
        "holiday-first_day": tuesday.isoformat(),
        "holiday-last_day": tuesday.isoformat(),
    }
    assert as_user(week.manager).post("/timetable/holidays", data=form).status_code == 403
    assert as_user(week.admin).post("/timetable/holidays", data=form).status_code == 302
    ticket = file(week, at(monday, 10))
    assert ticket.respond_by == at(monday + timedelta(days=3), 12)
    bad = {**form, "holiday-last_day": monday.isoformat()}
    response = as_user(week.admin).post("/timetable/holidays", data=bad)
    assert response.status_code == 422 and "kann nicht vor dem ersten liegen" in response.text


# --- the queue and the reports --------------------------------------------------------


def test_the_queue_shows_what_is_overdue_and_due_today(week, as_user):
    now = datetime.now(BERLIN)
    overdue = week.ticket("new", title="Längst fällig")
    overdue.respond_by = now - timedelta(hours=1)
    later_today = week.ticket("new", title="Heute noch")
    later_today.respond_by = min(now + timedelta(minutes=5), at(now.date(), 23, 59))
    next_week = week.ticket("new", title="Nächste Woche")
    next_week.respond_by = now + timedelta(days=7)
    db.session.commit()
    browser = as_user(week.manager)
    page = browser.get("/tickets/?due=overdue").text
    assert "Längst fällig" in page and "Heute noch" not in page and "Nächste Woche" not in page
    page = browser.get("/tickets/?due=today").text
    assert "Heute noch" in page and "Längst fällig" not in page and "Nächste Woche" not in page


def test_on_time_shares_on_a_hand_computed_dataset(week, manager_figures):
    """Tuesday/Thursday 8-12 visits; impaired tickets (24 working hours to resolve)."""
    m, far = week.manager, week.far_manager
    mon = date(2026, 3, 2)

    def day(n, hour, minute=0):
        return at(mon + timedelta(days=n), hour, minute)

    one = file(week, day(0, 10))  # due: response Tue 12:00, resolution Thu 10:00
    two = file(week, day(0, 11))  # due: response Tue 12:00, resolution Thu 11:00
    three = file(week, day(1, 13))  # due: response Thu 12:00 (Tuesday's visit is over)
    four = file(week, day(2, 9), teacher=week.far_teacher)  # no timetable: Fri 9:00, Mon 9:00
    five = file(week, day(3, 10))
    with work():
        services.claim(m, one, now=day(1, 9))  # on time
        services.resolve(m, one, "Kabel getauscht.", now=day(2, 10))  # on time
        services.claim(m, two, now=day(2, 9))  # late
        services.resolve(m, two, "Lampe getauscht.", now=day(4, 12))  # late
        services.claim(m, three, now=day(3, 11, 59))  # on time, still open
        services.claim(far, four, now=day(3, 9))  # on time
        services.resolve(far, four, "Treiber neu.", now=day(7, 9))  # exactly on time
        services.cancel(week.teacher, five, "Erledigt.", now=day(3, 11))  # not counted
    assert (one.respond_by, one.resolve_by) == (day(1, 12), day(3, 10))
    assert (three.respond_by, four.respond_by, four.resolve_by) == (
        day(3, 12),
        day(4, 9),
        day(7, 9),
    )
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    summary = first_level_resolution_rate(march, Scope(None))[0]
    assert (summary.responses_due, summary.responses_on_time) == (4, 3)
    assert (summary.resolutions_due, summary.resolutions_on_time) == (3, 2)
    assert summary.response_on_time_share == 0.75
    by_manager = {r.key: r for r in first_level_resolution_rate(march, Scope(None), "manager")}
    assert (by_manager[str(m.id)].responses_on_time, by_manager[str(m.id)].responses_due) == (2, 3)
    assert (by_manager[str(m.id)].resolutions_on_time, by_manager[str(m.id)].resolutions_due) == (
        1,
        2,
    )
    assert by_manager[str(far.id)].resolution_on_time_share == 1.0
    by_school = {r.label: r for r in first_level_resolution_rate(march, Scope(None), "school")}
    assert by_school["Helmholtz-Gymnasium"].response_on_time_share == pytest.approx(2 / 3)
    assert by_school["Phoenix-Gymnasium"].response_on_time_share == 1.0
    from tests.unit.test_report_queries import facts_match_a_rebuild

    assert facts_match_a_rebuild()


def test_the_on_time_shares_reach_the_exports_and_the_api(
    week, as_user, token_for, manager_figures
):
    test_on_time_shares_on_a_hand_computed_dataset(week, manager_figures)
    period = {"preset": "custom", "start": "2026-03-01", "end": "2026-03-31"}
    data = (
        as_user(week.admin)
        .get("/reports/data.json", query_string={**period, "group_by": "manager"})
        .json
    )
    rows = {row["key"]: row for row in data["rows"]}
    assert rows[str(week.manager.id)]["responses_on_time"] == 2
    assert rows[str(week.manager.id)]["response_on_time_share"] == pytest.approx(2 / 3, abs=1e-4)
    csv_text = (
        as_user(week.admin)
        .get("/reports/export.csv", query_string={**period, "table": "school"})
        .text
    )
    assert "resolution_on_time_share" in csv_text.splitlines()[0]
    printed = as_user(week.admin).get("/reports/evaluation", query_string=period).text
    assert "75\xa0% der ersten Antworten kamen bis zum nächsten Besuch" in printed
    assert "67\xa0% der Störungen wurden innerhalb ihrer Zielzeit gelöst" in printed
    client = as_user(week.teacher).application.test_client()
    answer = client.get(
        "/api/v1/reports/resolution?from=2026-03-01&to=2026-03-31&group_by=school",
        headers=token_for(week.admin),
    )
    assert answer.status_code == 200, answer.text
    by_school = {row["label"]: row for row in answer.json["rows"]}
    assert by_school["Phoenix-Gymnasium"]["resolution_on_time_share"] == 1.0


def test_the_reports_page_shows_the_on_time_shares(week, as_user):
    page = as_user(week.admin).get("/reports/").text
    assert "First response by its due date" in page or "Erste Antwort" in page


# --- the day plan ---------------------------------------------------------------------------


def test_the_day_plan_lists_todays_schools_with_blocking_tickets_first(world, as_user):
    today = datetime.now(BERLIN).date()
    db.session.add(
        Visit(
            manager_id=world.manager.id,
            school_id=world.teacher.school_id,
            weekday=today.weekday(),
            starts=time(0, 0),
            ends=time(23, 59),
        )
    )
    db.session.commit()
    minor = world.ticket("new", title="Drucker leise", impact=Impact.MINOR)
    blocking = world.ticket("new", title="Beamer tot", impact=Impact.BLOCKING)
    world.ticket("new", title="Fremder Campus")  # the same campus: also listed
    db.session.commit()
    browser = as_user(world.manager)
    page = browser.get("/today").text
    assert "Helmholtz-Gymnasium" in page
    assert page.index(blocking.title) < page.index(minor.title)
    assert "On site now" in page or "Jetzt vor Ort" in page
    response = browser.post(f"/today/on-site/{world.teacher.school_id}")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(SiteVisit.id))) == 1
    # not at a school of another campus
    assert browser.post(f"/today/on-site/{world.far_teacher.school_id}").status_code == 403
    assert db.session.scalar(select(func.count(SiteVisit.id))) == 1


# --- holidays from a calendar file ------------------------------------------------------------


NRW = Path(__file__).resolve().parents[2] / "campus" / "data" / "ferien-nrw.ics"


def test_holidays_are_imported_from_a_calendar_after_a_dry_run(world, as_user):
    admin = as_user(world.admin)

    def upload(data: bytes, dry_run: bool):
        form = {"ics-calendar": (io.BytesIO(data), "ferien.ics")}
        if dry_run:
            form["ics-dry_run"] = "y"
        return admin.post(
            "/timetable/holidays/import", data=form, content_type="multipart/form-data"
        )

    response = upload(NRW.read_bytes(), dry_run=True)
    assert response.status_code == 200
    assert "Sommerferien Nordrhein-Westfalen 2027" in response.text
    assert db.session.scalar(select(func.count(Holiday.id))) == 0  # a dry run saves nothing
    assert upload(NRW.read_bytes(), dry_run=False).status_code == 302
    stored = {h.name: (h.first_day, h.last_day) for h in db.session.scalars(select(Holiday))}
    # all-day entries end the day before DTEND
    assert stored["Weihnachtsferien Nordrhein-Westfalen 2026/27"] == (
        date(2026, 12, 23),
        date(2027, 1, 6),
    )
    assert stored["Pfingstferien Nordrhein-Westfalen 2027"] == (
        date(2027, 5, 18),
        date(2027, 5, 18),
    )
    count = db.session.scalar(select(func.count(Holiday.id)))
    assert upload(NRW.read_bytes(), dry_run=False).status_code == 302  # again: nothing twice
    assert db.session.scalar(select(func.count(Holiday.id))) == count
    for bad, message in (
        (b"", "Bitte wählen Sie eine Kalenderdatei"),
        (b"this is no calendar", "kein Kalender im iCalendar-Format"),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
            "keine Einträge für die kommenden Jahre",
        ),
    ):
        response = upload(bad, dry_run=False)
        assert response.status_code == 422, bad
        assert message in response.text
    assert as_user(world.manager).get("/timetable/holidays").status_code == 403


def test_a_repeating_calendar_entry_is_unfolded():
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//DE\r\nBEGIN:VEVENT\r\n"
        b"UID:einheit@example.org\r\nSUMMARY:Tag der Deutschen Einheit\r\n"
        b"DTSTART;VALUE=DATE:20261003\r\nDTEND;VALUE=DATE:20261004\r\nRRULE:FREQ=YEARLY\r\n"
        b"DTSTAMP:20261101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    entries = read_calendar(data, date(2026, 11, 27))
    assert [(e.first_day, e.last_day) for e in entries][:3] == [
        (date(2026, 10, 3), date(2026, 10, 3)),
        (date(2027, 10, 3), date(2027, 10, 3)),
        (date(2028, 10, 3), date(2028, 10, 3)),
    ]
    assert len({e.uid for e in entries}) == len(entries)


# --- the calendar feed ---------------------------------------------------------------


def test_the_calendar_feed_is_private_revocable_and_parses_back(week, as_user):
    browser = as_user(week.manager)
    assert browser.post(f"/timetable/{week.manager.id}/feed").status_code == 302
    page = browser.get(f"/timetable/{week.manager.id}").text
    address = re.search(r'value="(http://[^"]+\.ics)"', page).group(1)
    path = address.split("localhost", 1)[1]
    anonymous = week_app_client(browser)
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert events, "the coming visits are in the feed"
    for event in events:
        start = event.get("DTSTART").dt
        assert start.weekday() in (TUE, THU)
        assert (start.astimezone(BERLIN).hour, event.get("DTEND").dt.astimezone(BERLIN).hour) == (
            8,
            12,
        )
        assert str(event.get("SUMMARY")) == "Helmholtz-Gymnasium"
    assert len({str(e.get("UID")) for e in events}) == len(events)
    # someone else's token, a made-up one: nothing
    assert (
        anonymous.get(path.replace(f"/{week.manager.id}-", f"/{week.colleague.id}-")).status_code
        == 404
    )
    assert anonymous.get("/timetable/feed/1-" + "0" * 40 + ".ics").status_code == 404
    # a new address ends the old one; switching off ends all
    assert browser.post(f"/timetable/{week.manager.id}/feed").status_code == 302
    assert anonymous.get(path).status_code == 404
    assert (
        browser.post(f"/timetable/{week.manager.id}/feed", data={"revoke": "1"}).status_code == 302
    )
    db.session.expire_all()
    assert week.manager.calendar_key is None
    # nobody else may make or end a manager's address
    assert as_user(week.colleague).post(f"/timetable/{week.manager.id}/feed").status_code == 404


def week_app_client(browser):
    return browser.application.test_client()


# --- "next on site", in the teacher's words ------------------------------------------------


def test_next_on_site_in_german_from_every_day_of_the_week(week, app):
    from flask_babel import force_locale

    from campus.timetable.onsite import next_on_site
    from campus.timetable.wording import next_on_site as words

    monday = coming_monday()
    name = week.manager.display_name
    expected = [
        (
            at(monday, 10),
            f"{name} (Campusmanagement) ist morgen, 8–12 Uhr, wieder an Ihrer Schule.",
        ),
        (
            at(monday + timedelta(days=1), 7),
            f"{name} (Campusmanagement) ist heute, 8–12 Uhr, wieder an Ihrer Schule.",
        ),
        (
            at(monday + timedelta(days=1), 10),
            f"{name} (Campusmanagement) ist gerade an Ihrer Schule, bis 12:00 Uhr.",
        ),
        (
            at(monday + timedelta(days=1), 13),
            f"{name} (Campusmanagement) ist am Donnerstag, 8–12 Uhr, wieder an Ihrer Schule.",
        ),
        (
            at(monday + timedelta(days=2), 9),
            f"{name} (Campusmanagement) ist morgen, 8–12 Uhr, wieder an Ihrer Schule.",
        ),
        (
            at(monday + timedelta(days=3), 13),
            f"{name} (Campusmanagement) ist am Dienstag, 8–12 Uhr, wieder an Ihrer Schule.",
        ),
        (
            at(monday + timedelta(days=4), 9),
            f"{name} (Campusmanagement) ist am Dienstag, 8–12 Uhr, wieder an Ihrer Schule.",
        ),
        (
            at(monday + timedelta(days=5), 9),
            f"{name} (Campusmanagement) ist am Dienstag, 8–12 Uhr, wieder an Ihrer Schule.",
        ),
        (
            at(monday + timedelta(days=6), 9),
            f"{name} (Campusmanagement) ist am Dienstag, 8–12 Uhr, wieder an Ihrer Schule.",
        ),
    ]
    school = week.teacher.school
    with app.test_request_context(), force_locale("de"):
        for now, sentence in expected:
            assert str(words(next_on_site(school, now), now)) == sentence, now
    # the manager is away next week without a substitute: the visit after that
    with work():
        add_absence(
            week.admin,
            week.manager,
            first_day=monday + timedelta(days=7),
            last_day=monday + timedelta(days=13),
            reason="leave",
        )
    friday = at(monday + timedelta(days=4), 9)
    later = monday + timedelta(days=15)
    with app.test_request_context(), force_locale("de"):
        said = str(words(next_on_site(school, friday), friday))
    assert said == (
        f"{name} (Campusmanagement) ist am Dienstag, {later.day}. "
        f"{MONTHS[later.month - 1]}, 8–12 Uhr, wieder an Ihrer Schule."
    )


MONTHS = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
MONTHS = MONTHS.split()


def test_the_report_form_and_the_ticket_page_tell_the_teacher_who_comes(week, as_user):
    teacher = as_user(week.teacher)
    page = teacher.get("/tickets/new").text
    assert week.manager.display_name in page and "(Campusmanagement)" in page
    assert "sofort benachrichtigt" in page
    ticket = week.ticket("in_progress")  # blocking
    page = teacher.get(f"/tickets/{ticket.id}").text
    assert "(Campusmanagement)" in page and "sofort benachrichtigt" in page
    # the manager sees the due dates instead
    manager_page = as_user(week.manager).get(f"/tickets/{ticket.id}").text
    assert "Lösung fällig" in manager_page and "(Campusmanagement) ist" not in manager_page


def test_a_calendar_that_repeats_too_often_is_refused_quickly():
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//DE\r\nBEGIN:VEVENT\r\n"
        b"UID:flut@example.org\r\nSUMMARY:Flut\r\nDTSTART:20261201T080000Z\r\n"
        b"DTEND:20261201T080001Z\r\nRRULE:FREQ=SECONDLY\r\n"
        b"DTSTAMP:20261101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(InvalidInput, match="more often than daily"):
        read_calendar(data, date(2026, 11, 27))
    daily = data.replace(b"FREQ=SECONDLY", b"FREQ=DAILY")
    with pytest.raises(InvalidInput, match="more than 500"):
        read_calendar(daily, date(2026, 11, 27))


# --- what the review found ----------------------------------------------------------------


def test_a_missed_due_date_stays_missed_whatever_the_timetable_says_later(week, as_user):
    """A manager cannot enter an absence afterwards to clear what is overdue."""
    today = datetime.now(BERLIN).date()
    overdue = file(week, at(today - timedelta(days=7), 10))
    overdue.respond_by = at(today - timedelta(days=6), 12)
    db.session.commit()
    browser = as_user(week.manager)
    over = {
        "absence-first_day": (today - timedelta(days=9)).isoformat(),
        "absence-last_day": (today - timedelta(days=1)).isoformat(),
        "absence-reason": "illness",
    }
    response = browser.post(f"/timetable/{week.manager.id}/absences", data=over)
    assert response.status_code == 422 and "bis heute oder später" in response.text
    ongoing = {**over, "absence-last_day": (today + timedelta(days=3)).isoformat()}
    assert browser.post(f"/timetable/{week.manager.id}/absences", data=ongoing).status_code == 302
    db.session.expire_all()
    assert overdue.respond_by == at(today - timedelta(days=6), 12)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"visit-weekday": "6"}, "Bitte wählen Sie einen Wochentag"),
        ({"visit-weekday": "-1"}, "Bitte wählen Sie einen Wochentag"),
    ],
)
def test_no_visits_on_sundays(world, as_user, form, message):
    data = {
        "visit-school_id": world.teacher.school_id,
        "visit-starts": "08:00",
        "visit-ends": "09:00",
        **form,
    }
    response = as_user(world.manager).post(f"/timetable/{world.manager.id}/visits", data=data)
    assert response.status_code == 422 and message in response.text


def test_days_far_away_and_unknown_substitutes_are_refused(week, as_user):
    browser = as_user(week.manager)
    url = f"/timetable/{week.manager.id}"
    far = {
        "absence-first_day": "2026-12-01",
        "absence-last_day": "9999-12-31",
        "absence-reason": "leave",
    }
    response = browser.post(f"{url}/absences", data=far)
    assert response.status_code == 422
    monday = coming_monday()
    for substitute in ("abc", "99999999999999"):
        form = {
            "absence-first_day": monday.isoformat(),
            "absence-last_day": monday.isoformat(),
            "absence-reason": "leave",
            "absence-substitute_id": substitute,
        }
        response = browser.post(f"{url}/absences", data=form)
        assert response.status_code == 422 and "Vertretung aus der Liste" in response.text
    extra = {
        "change-kind": "extra",
        "change-school_id": week.teacher.school_id,
        "change-day": "9999-12-31",
        "change-starts": "08:00",
        "change-ends": "09:00",
    }
    response = browser.post(f"{url}/changes", data=extra)
    assert response.status_code == 422 and "innerhalb von 2 Jahren" in response.text
    assert db.session.scalar(select(func.count(Absence.id))) == 0


def test_a_manager_who_leaves_takes_their_visits_along(week, as_user, app):
    from flask_babel import force_locale

    from campus.admin.services import save_user, set_user_active
    from campus.timetable.onsite import next_on_site

    monday = coming_monday()
    with work():
        add_absence(
            week.admin,
            week.colleague,
            first_day=monday,
            last_day=monday,
            reason="leave",
            substitute_id=week.manager.id,
        )
    school = week.teacher.school
    assert next_on_site(school).person == week.manager.display_name
    # moved to another campus: the visits at this school go
    with work():
        save_user(
            week.admin,
            email=week.manager.email,
            display_name=week.manager.display_name,
            role=week.manager.role,
            school_id=None,
            campus_ids=[week.far_teacher.school.campus_id],
            user=week.manager,
        )
    assert db.session.scalar(select(func.count(Visit.id))) == 0
    db.session.expire_all()
    with app.test_request_context(), force_locale("de"):
        assert next_on_site(school).visit is None
    # deactivated: no longer anybody's substitute
    with work():
        set_user_active(week.admin, week.manager, False)
    db.session.expire_all()
    assert db.session.scalar(select(Absence.substitute_id)) is None


def test_imported_holidays_are_checked_like_typed_ones():
    def calendar(lines: str) -> bytes:
        return (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//DE\r\nBEGIN:VEVENT\r\n"
            f"UID:x@example.org\r\nSUMMARY:Endlos\r\nDTSTAMP:20261101T000000Z\r\n{lines}"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode()

    forever = calendar("DTSTART;VALUE=DATE:20000101\r\nDTEND;VALUE=DATE:21000101\r\n")
    with pytest.raises(InvalidInput, match="at most 120 days"):
        read_calendar(forever, date(2026, 11, 27))
    minutes = ",".join(str(m) for m in range(60))
    every_minute = calendar(
        "DTSTART:20261201T080000Z\r\nDTEND:20261201T080100Z\r\n"
        f"RRULE:FREQ=DAILY;BYHOUR=0;BYMINUTE={minutes}\r\n"
    )
    with pytest.raises(InvalidInput, match="more often than daily"):
        read_calendar(every_minute, date(2026, 11, 27))


def test_the_substitute_does_not_read_the_absent_managers_note(week, as_user):
    monday = coming_monday()
    form = {
        "absence-first_day": monday.isoformat(),
        "absence-last_day": monday.isoformat(),
        "absence-reason": "illness",
        "absence-substitute_id": week.colleague.id,
        "absence-note": "Krank: Bandscheibe",
    }
    assert (
        as_user(week.manager).post(f"/timetable/{week.manager.id}/absences", data=form).status_code
        == 302
    )
    assert "Bandscheibe" in as_user(week.manager).get(f"/timetable/{week.manager.id}").text
    substitute_page = as_user(week.colleague).get(f"/timetable/{week.colleague.id}").text
    assert "vertritt" in substitute_page and "Bandscheibe" not in substitute_page
