"""Privacy edge cases found in review (issue 17): nothing is added to an anonymised ticket,
an erased person's open tickets keep going and are anonymised again once closed, erasing a
manager releases their tickets and visits, names and addresses are replaced only where
they stand whole, the API and the queue do not count another person's finished work while
figures per manager are off, and placeholder accounts cannot be edited or imitated."""

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import select, update

from campus.admin.services import save_user, set_user_active
from campus.exceptions import Conflict, FieldErrors
from campus.extensions import db
from campus.models import (
    AuditEntry,
    InboundMail,
    Role,
    Ticket,
    TicketEvent,
    TicketStatus,
    User,
    Visit,
    utcnow,
)
from campus.privacy.anonymise import placeholder_address, pseudonymise_users
from campus.privacy.erase import erase_person
from campus.privacy.retention import run_retention
from campus.privacy.settings import set_manager_figures
from campus.reports.period import Period, today_in_berlin
from campus.reports.queries import Scope, first_level_resolution_rate
from campus.tickets import services
from tests.functional.test_privacy_retention import _everything

SECRET = "Frau-Geheimname"


def _close_long_ago(ticket: Ticket, days: int = 800) -> None:
    db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id)
        .values(closed_at=utcnow() - timedelta(days=days))
    )
    db.session.commit()


def test_nothing_is_added_to_an_anonymised_ticket(world, app, as_user):
    ticket = world.ticket("closed")
    _close_long_ago(ticket)
    run_retention(app.config["UPLOAD_FOLDER"])
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.anonymised_at is not None
    with pytest.raises(Conflict):
        services.note(world.manager, ticket, f"Anruf von {SECRET}")
    db.session.rollback()
    page = as_user(world.manager).get(f"/tickets/{ticket.id}").text
    assert "/note" not in page and 'id="act-' not in page


def test_an_erased_teachers_open_ticket_goes_on_and_is_anonymised_when_closed(world, app):
    ticket = world.ticket("in_progress")
    erase_person(world.admin, world.teacher, app.config["UPLOAD_FOLDER"])
    db.session.commit()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.anonymised_at is None and ticket.description == ""
    assert ticket.reporter.display_name == "Lehrkraft"
    services.resolve(world.manager, ticket, f"Mit {SECRET} telefoniert")
    db.session.commit()
    assert SECRET in _everything()
    db.session.execute(
        update(Ticket).where(Ticket.id == ticket.id).values(status=TicketStatus.CLOSED)
    )
    _close_long_ago(ticket)
    run_retention(app.config["UPLOAD_FOLDER"])
    assert SECRET not in _everything()


def test_erasing_a_manager_releases_tickets_visits_and_campus(world, app):
    ticket = world.ticket("in_progress")
    db.session.add(
        Visit(
            manager_id=world.manager.id,
            school_id=world.teacher.school_id,
            weekday=0,
            starts=time(8),
            ends=time(12),
        )
    )
    db.session.commit()
    erase_person(world.admin, world.manager, app.config["UPLOAD_FOLDER"])
    db.session.commit()
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.assignee_id is None and ticket.status == TicketStatus.NEW  # back in the queue
    assert db.session.scalars(select(Visit).where(Visit.manager_id == world.manager.id)).all() == []
    manager = db.session.get(User, world.manager.id)
    assert manager.managed_campuses == [] and not manager.active


def test_names_and_addresses_are_replaced_only_where_they_stand_whole(world, make_user):
    max_ = make_user(Role.TEACHER, school=world.teacher.school, email="a@example.org")
    max_.display_name = "Max"
    anna = make_user(Role.TEACHER, school=world.teacher.school, email="anna@example.org")
    set_user_active(world.admin, anna, False)
    ticket = world.ticket("in_progress")
    services.reply(world.manager, ticket, "Helligkeit (Maxwell).")
    services.assign(world.manager, ticket, world.colleague)
    db.session.commit()
    pseudonymise_users([max_.id], utcnow())
    db.session.commit()
    texts = " ".join(db.session.scalars(select(TicketEvent.text)))
    assert "Maxwell" in texts and world.colleague.display_name in texts
    subjects = " ".join(db.session.scalars(select(AuditEntry.subject)))
    assert "<anna@example.org>" in subjects and "<a@example.org>" not in subjects
    pseudonymise_users([world.colleague.id], utcnow())
    db.session.commit()
    assigned = db.session.scalars(
        select(TicketEvent.text).where(TicketEvent.kind == "assigned")
    ).all()
    assert assigned == [f"Campusmanagement #{world.colleague.id}"]


def test_received_mails_go_with_the_person(world, app):
    db.session.add(
        InboundMail(
            message_key="k" * 64,
            sender=world.teacher.email,
            outcome="rejected",
            user_id=world.teacher.id,
        )
    )
    db.session.commit()
    erase_person(world.admin, world.teacher, app.config["UPLOAD_FOLDER"])
    db.session.commit()
    assert db.session.scalars(select(InboundMail)).all() == []


def test_another_persons_finished_work_is_not_counted_while_switched_off(
    world, client, token_for, as_user
):
    for _ in range(3):
        world.ticket("closed")
    headers = token_for(world.colleague)
    url = f"/api/v1/tickets?assignee_id={world.manager.id}"
    refused = client.get(f"{url}&status=closed", headers=headers)
    assert refused.status_code == 403 and "Mitbestimmung" in refused.json["error"]["message"]
    assert client.get(url, headers=headers).status_code == 403
    assert client.get(f"{url}&status=in_progress", headers=headers).status_code == 200
    own = f"/api/v1/tickets?assignee_id={world.manager.id}&status=closed"
    assert client.get(own, headers=token_for(world.manager)).json["total"] == 3
    queue = (
        as_user(world.colleague)
        .get("/tickets/", query_string={"assignee": world.manager.id, "status": "closed"})
        .text
    )
    assert len(re.findall(r'href="/tickets/\d+"', queue)) == 3  # no filter by person: all
    set_manager_figures(world.admin, True, "Dienstvereinbarung mit dem Personalrat 2026")
    db.session.commit()
    assert client.get(f"{url}&status=closed", headers=headers).json["total"] == 3


def test_manager_figures_count_from_the_day_they_were_switched_on(world):
    world.ticket("closed")
    old = world.ticket("closed")
    shift = timedelta(days=40)
    db.session.execute(
        update(Ticket)
        .where(Ticket.id == old.id)
        .values(created_at=old.created_at - shift, resolved_at=old.resolved_at - shift)
    )
    db.session.commit()
    from campus.reports.facts import rebuild_facts

    rebuild_facts()
    set_manager_figures(world.admin, True, "Dienstvereinbarung mit dem Personalrat 2026")
    db.session.commit()
    period = Period(today_in_berlin() - timedelta(days=90), today_in_berlin())
    by_manager = first_level_resolution_rate(period, Scope(), "manager")
    assert sum(row.recorded for row in by_manager) == 1  # the one from before is not shown
    assert first_level_resolution_rate(period, Scope(), None)[0].recorded == 2


def test_placeholders_cannot_be_edited_or_imitated(world, app, as_user):
    ticket = world.ticket("closed")
    _close_long_ago(ticket)
    run_retention(app.config["UPLOAD_FOLDER"])
    placeholder = db.session.scalar(
        select(User).where(User.email == placeholder_address("teacher"))
    )
    with pytest.raises(Conflict):
        save_user(
            world.admin,
            email=placeholder.email,
            display_name="Umbenannt",
            role="system_house",
            user=placeholder,
        )
    db.session.rollback()
    with pytest.raises(FieldErrors):
        save_user(
            world.admin,
            email="anonymised-teacher2@campus.invalid",
            display_name="Neu",
            role="system_house",
            password="ein-langes-passwort",
        )
    db.session.rollback()
    users_page = as_user(world.admin).get("/admin/users").text
    assert "campus.invalid" not in users_page
    # an erasure after that still works
    erase_person(world.admin, world.other_teacher, app.config["UPLOAD_FOLDER"])
    db.session.commit()
    assert db.session.get(User, world.other_teacher.id).pseudonymised_at is not None
