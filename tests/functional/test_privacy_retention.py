"""Retention (issue 17) on a dataset that spans years: old closed tickets are anonymised,
photos and old histories deleted, long-deactivated accounts pseudonymised; every report
figure stays the same, and nothing of the people or texts remains in any table."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, update

from campus.admin.services import set_user_active
from campus.extensions import db
from campus.models import (
    Absence,
    AuditEntry,
    LoginSession,
    Role,
    Ticket,
    TicketPhoto,
    User,
    utcnow,
)
from campus.privacy.retention import last_run, run_retention
from campus.reports.export import row_to_dict
from campus.reports.facts import rebuild_facts
from campus.reports.period import Period, today_in_berlin
from campus.reports.queries import Scope, first_level_resolution_rate
from campus.reports.sums import GROUPINGS
from campus.tickets import services
from campus.tickets.feedback import give_feedback

SECRET = "Zeichenfolge-4711"  # in every free text of the old tickets


def _age(ticket: Ticket, days: int) -> None:
    """Move a ticket and its trail `days` into the past."""
    shift = timedelta(days=days)
    for column in ("created_at", "first_response_at", "escalated_at", "resolved_at", "closed_at"):
        value = getattr(ticket, column)
        if value is not None:
            setattr(ticket, column, value - shift)
    for event in ticket.events:
        event.created_at -= shift


@pytest.fixture
def years(world, make_user, app, manager_figures):
    """Old tickets (three years ago) with texts, a photo, a feedback comment and the
    manager's name in the trail; recent ones; an account deactivated a year ago."""
    old = []
    for state in ("closed", "closed", "cancelled", "resolved_l2"):
        ticket = world.ticket(state, title=f"Beamer {SECRET}", description=f"Kaputt {SECRET}")
        if state == "resolved_l2":
            services.confirm(world.teacher, ticket)
        for event in ticket.events:
            event.text = f"{event.text} {SECRET}"
        for analysis in ticket.analyses:
            analysis.symptoms = f"{analysis.symptoms} {SECRET}"
        old.append(ticket)
    give_feedback(world.teacher, old[0], up=False, comment=f"Dauerte {SECRET}")
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "old-photo.png").write_bytes(b"\x89PNG")
    db.session.add(
        TicketPhoto(
            ticket_id=old[0].id, stored_name="old-photo.png", content_type="image/png", size=4
        )
    )
    db.session.flush()
    for ticket in old:
        _age(ticket, 3 * 365)
    recent = [world.ticket("closed"), world.ticket("in_progress"), world.ticket("new")]
    leaver = make_user(Role.TEACHER, school=world.teacher.school, email="geht@example.org")
    leaver.display_name = "Gerda Gehtweg"
    set_user_active(world.admin, leaver, False)
    leaver.deactivated_at = utcnow() - timedelta(days=365)
    db.session.add(LoginSession(user_id=world.teacher.id, token_hash="a" * 64))
    db.session.flush()
    db.session.execute(update(LoginSession).values(created_at=utcnow() - timedelta(days=200)))
    db.session.commit()
    rebuild_facts()
    db.session.commit()
    return old, recent, leaver


def _figures() -> dict:
    period = Period(today_in_berlin() - timedelta(days=5 * 365), today_in_berlin())
    return {
        group: [row_to_dict(r) for r in first_level_resolution_rate(period, Scope(), group)]
        for group in (None, *GROUPINGS)
    }


def _everything() -> str:
    """Every value of every row of every table, as one text."""
    metadata = MetaData()
    metadata.reflect(db.engine, only=lambda name, _m: not name.startswith("article_search"))
    parts = []
    for table in metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_figures_stay_and_no_text_remains(years, app, world):
    old, recent, _leaver = years
    before = _figures()
    assert SECRET in _everything()
    dry = run_retention(app.config["UPLOAD_FOLDER"], dry_run=True)
    assert SECRET in _everything()  # a dry run changes nothing
    done = run_retention(app.config["UPLOAD_FOLDER"])
    assert (dry.tickets, dry.photos, dry.users) == (done.tickets, done.photos, done.users)
    assert (done.tickets, done.photos, done.users) == (4, 1, 1)
    assert done.logins >= 1
    assert _figures() == before
    rebuild_facts()  # the tickets still give the same figures when counted afresh
    db.session.commit()
    assert _figures() == before
    everything = _everything()
    assert SECRET not in everything
    assert "Gerda Gehtweg" not in everything and "geht@example.org" not in everything
    assert not (Path(app.config["UPLOAD_FOLDER"]) / "old-photo.png").exists()
    db.session.expire_all()
    for ticket in old:
        ticket = db.session.get(Ticket, ticket.id)
        assert ticket.anonymised_at is not None
        assert ticket.title == "Beamer / Display"
        assert ticket.reporter.display_name == "Lehrkraft" and not ticket.reporter.active
        actors = {e.actor.display_name for e in ticket.events if e.actor}
        assert actors <= {"Lehrkraft", "Campusmanagement", "Systemhaus"}
        assert all(e.text == "" for e in ticket.events)
        assert ticket.l1_assignee_id in (None, world.manager.id)  # the figures count by it
    for ticket in recent:
        kept = db.session.get(Ticket, ticket.id)
        assert kept.anonymised_at is None and kept.reporter_id == world.teacher.id
    when, summary = last_run()
    assert when is not None and summary == done


def test_a_second_run_changes_nothing(years, app):
    run_retention(app.config["UPLOAD_FOLDER"])
    again = run_retention(app.config["UPLOAD_FOLDER"])
    assert (again.tickets, again.photos, again.users, again.logins) == (0, 0, 0, 0)


def test_the_pages_and_the_api_show_no_name_of_an_anonymised_ticket(
    years, app, world, as_user, token_for
):
    old, _recent, _leaver = years
    run_retention(app.config["UPLOAD_FOLDER"])
    manager = as_user(world.manager)
    page = manager.get(f"/tickets/{old[0].id}").text
    assert world.teacher.display_name not in page and SECRET not in page
    assert "Lehrkraft" in page
    api = app.test_client().get(f"/api/v1/tickets/{old[0].id}", headers=token_for(world.admin))
    assert api.status_code == 200
    assert world.teacher.display_name not in api.text and world.teacher.email not in api.text
    assert SECRET not in api.text
    # the teacher no longer finds it among her tickets: it is no longer hers
    mine = as_user(world.teacher).get("/tickets/mine").text
    assert f"#{old[0].number}" not in mine


def test_login_history_addresses_and_absences_expire(years, app, world):
    today = today_in_berlin()
    for first in (today - timedelta(days=400), today + timedelta(days=3)):
        db.session.add(
            Absence(manager_id=world.manager.id, first_day=first, last_day=first, reason="illness")
        )
    db.session.add(AuditEntry(action="login", actor_label="x", address="10.0.0.1"))
    db.session.add(AuditEntry(action="user_created", actor_label="y", address="10.0.0.2"))
    db.session.flush()
    db.session.execute(update(AuditEntry).values(at=utcnow() - timedelta(days=400)))
    db.session.commit()
    run_retention(app.config["UPLOAD_FOLDER"])
    entries = db.session.scalars(select(AuditEntry)).all()
    assert all(entry.action != "login" for entry in entries)
    assert all(entry.address == "" for entry in entries)
    assert db.session.scalars(select(LoginSession)).all() == []
    kept = db.session.scalars(select(Absence)).all()
    assert [a.first_day for a in kept] == [today + timedelta(days=3)]


def test_a_pseudonymised_account_cannot_log_in_or_come_back(years, app, world, client):
    _old, _recent, leaver = years
    run_retention(app.config["UPLOAD_FOLDER"])
    db.session.expire_all()
    leaver = db.session.get(User, leaver.id)
    assert leaver.pseudonymised_at is not None and leaver.display_name == f"Lehrkraft #{leaver.id}"
    from campus.exceptions import Conflict

    with pytest.raises(Conflict):
        set_user_active(world.admin, leaver, True)
    db.session.rollback()
    response = client.post("/auth/login", data={"email": "geht@example.org", "password": "x" * 12})
    assert "/tickets" not in response.headers.get("Location", "")


def test_exports_hold_nothing_of_an_anonymised_ticket(years, app, world, as_user):
    old, _recent, _leaver = years
    before = as_user(world.teacher).get("/profile/data.json")
    assert before.status_code == 200 and SECRET in before.text
    run_retention(app.config["UPLOAD_FOLDER"])
    for who in (world.teacher, world.manager, world.system_house):
        export = as_user(who).get("/profile/data.json")
        assert export.status_code == 200
        assert SECRET not in export.text, who.email
    admin_view = as_user(world.admin).get(f"/admin/users/{world.teacher.id}/data.json")
    assert SECRET not in admin_view.text
    mine = as_user(world.teacher).get("/profile/data.json").json
    assert old[0].number not in {ticket["number"] for ticket in mine["tickets"]}
    assert mine["tickets"]  # her recent tickets are still hers
