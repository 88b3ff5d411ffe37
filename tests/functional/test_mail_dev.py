"""Development mails: written to a folder and listed at /dev/mails, in development only;
digest times as people type them."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from campus.extensions import db
from campus.mail.digest import last_digest_time, parse_times
from campus.models import Mail, Ticket

BERLIN = ZoneInfo("Europe/Berlin")


def file_ticket(browser, title="Beamer\r\nzeigt kein Bild") -> Ticket:
    response = browser.post(
        "/tickets/new",
        data={
            "category": "projector_display",
            "impact": "blocking",
            "title": title,
            "description": "<script>alert(1)</script>",
        },
    )
    assert response.status_code == 302, response.text
    return db.session.scalar(select(Ticket).order_by(Ticket.id.desc()))


def test_development_lists_the_mails_it_wrote(app, world, as_user, tmp_path):
    app.config.update(CAMPUS_ENV="development", MAIL_FOLDER=str(tmp_path / "dev-mails"))
    file_ticket(as_user(world.teacher))
    files = sorted((tmp_path / "dev-mails").glob("*.eml"))
    assert len(files) == 2  # the two managers of the campus
    browser = as_user(world.manager)
    listing = browser.get("/dev/mails")
    assert listing.status_code == 200
    assert "manager@example.org" in listing.text and "kollege@example.org" in listing.text
    one = browser.get(f"/dev/mails/{files[0].name}")
    assert one.status_code == 200 and "Unterricht nicht möglich" in one.text
    assert "<script>alert(1)</script>" not in one.text  # shown escaped
    assert browser.get("/dev/mails/..%2Fcampus.db").status_code == 404
    assert browser.get("/dev/mails/nothing.eml").status_code == 404


def test_dev_mails_do_not_exist_outside_development(app, world, as_user):
    assert app.config["CAMPUS_ENV"] == "testing"
    assert as_user(world.admin).get("/dev/mails").status_code == 404


def test_a_title_with_a_line_break_makes_a_one_line_subject(app, world, as_user):
    ticket = file_ticket(as_user(world.teacher))
    subjects = db.session.scalars(select(Mail.subject).where(Mail.ticket_id == ticket.id)).all()
    assert subjects and all("\n" not in s and "\r" not in s for s in subjects)
    assert all(s.startswith("Unterricht nicht möglich: Beamer zeigt") for s in subjects)


@pytest.mark.parametrize(
    ("raw", "times"),
    [
        ("07:00, 13:30", [time(7), time(13, 30)]),
        ("7;13", [time(7), time(13)]),
        ("13:00,07:00,13:00", [time(7), time(13)]),
    ],
)
def test_digest_times_as_typed(raw, times):
    assert parse_times(raw) == times


@pytest.mark.parametrize("raw", ["", "25:00", "7:60", "morgens", "1,2,3,4,5,6,7", "-1"])
def test_digest_times_refused(raw):
    with pytest.raises(ValueError):
        parse_times(raw)


def test_the_last_digest_time_is_in_berlin_time():
    # 27 Nov 2026, 12:30 UTC = 13:30 in Berlin: the 13:00 digest has come.
    now = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)
    assert last_digest_time("07:00,13:00", now, BERLIN) == datetime(
        2026, 11, 27, 13, 0, tzinfo=BERLIN
    )
    # 05:00 UTC = 06:00 in Berlin: yesterday's 13:00.
    early = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)
    assert last_digest_time("07:00,13:00", early, BERLIN) == datetime(
        2026, 11, 26, 13, 0, tzinfo=BERLIN
    )
