"""Each role's story end to end through HTTP."""

import re
from datetime import timedelta

from campus.extensions import db
from campus.models import Device, Ticket, TicketStatus, User, utcnow
from campus.tickets import services
from campus.tickets.transitions import InvalidTransition
from tests.conftest import field_errors
from tests.tickets_helpers import ANALYSIS


def latest_ticket() -> Ticket:
    return db.session.scalar(db.select(Ticket).order_by(Ticket.id.desc()))


def test_teacher_reports_a_problem_and_sees_it_in_my_tickets(world, as_user):
    device = Device(
        school_id=world.teacher.school_id,
        room="B 113",
        type="display_projector",
        inventory_number="HHG-BEA-0007",
        model="Epson EB-695Wi",
    )
    db.session.add(device)
    db.session.commit()
    browser = as_user(world.teacher)
    form = browser.get("/tickets/new")
    assert form.status_code == 200
    assert "Helmholtz-Gymnasium" in form.text  # the school is preset
    assert "HHG-BEA-0007" in form.text  # the school's inventory to pick from

    response = browser.post(
        "/tickets/new",
        data={
            "category": "projector_display",
            "impact": "blocking",
            "room": "",
            "device_id": str(device.id),
            "title": "Beamer zeigt kein Bild",
            "description": "Kein Signal über HDMI.",
        },
    )
    assert response.status_code == 302
    ticket = latest_ticket()
    assert response.location == f"/tickets/{ticket.id}"
    assert (ticket.status, ticket.level, ticket.school_id, ticket.room) == (
        "new",
        1,
        world.teacher.school_id,
        "B 113",
    )  # room taken from the device
    assert ticket.campus_id == world.teacher.school.campus_id
    assert [e.kind for e in ticket.events] == ["created"]

    mine = browser.get("/tickets/mine")
    assert "Beamer zeigt kein Bild" in mine.text
    assert "Neu" in mine.text  # status in plain words


def test_report_form_shows_every_problem_next_to_its_field(world, as_user):
    browser = as_user(world.teacher)
    response = browser.post("/tickets/new", data={"title": "", "description": ""})
    assert response.status_code == 422
    assert set(field_errors(response.text)) >= {"title", "description"}
    assert 'id="category-error"' in response.text
    assert 'id="impact-error"' in response.text
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 0


def test_teacher_cannot_pick_a_device_of_another_school(world, as_user):
    far_device = Device(
        school_id=world.far_teacher.school_id, type="tablet", inventory_number="PXG-TAB-1"
    )
    db.session.add(far_device)
    db.session.commit()
    response = as_user(world.teacher).post(
        "/tickets/new",
        data={
            "category": "tablet_notebook",
            "impact": "minor",
            "device_id": str(far_device.id),
            "title": "iPad",
            "description": "kaputt",
        },
    )
    assert response.status_code == 422
    assert "device_id" in field_errors(response.text)


def test_only_teachers_report(world, as_user):
    for user in (world.manager, world.system_house, world.admin):
        assert as_user(user).get("/tickets/new").status_code == 403


def test_level_one_story_claim_ask_reply_resolve_confirm(world, as_user):
    ticket = world.ticket("new")
    manager, teacher = as_user(world.manager), as_user(world.teacher)

    queue = manager.get("/tickets/")
    assert "Beamer zeigt kein Bild" in queue.text  # default view: open at level 1
    assert manager.post(f"/tickets/{ticket.id}/claim").status_code == 302
    db.session.refresh(ticket)
    assert ticket.status == "in_progress" and ticket.assignee_id == world.manager.id
    assert ticket.first_response_at is not None
    first_response = ticket.first_response_at

    manager.post(f"/tickets/{ticket.id}/wait", data={"wait-text": "Welcher Raum genau?"})
    db.session.refresh(ticket)
    assert ticket.status == "waiting"
    page = teacher.get(f"/tickets/{ticket.id}")
    assert "Welcher Raum genau?" in page.text
    teacher.post(f"/tickets/{ticket.id}/reply", data={"reply-text": "Raum A 101."})
    db.session.refresh(ticket)
    assert ticket.status == "in_progress"  # the teacher's answer brings it back to work

    manager.post(f"/tickets/{ticket.id}/resolve", data={"resolve-text": "HDMI-Kabel getauscht."})
    db.session.refresh(ticket)
    assert (ticket.status, ticket.resolved_level) == ("resolved", 1)
    assert ticket.resolved_at is not None
    assert ticket.first_response_at == first_response  # only the first response counts

    teacher.post(f"/tickets/{ticket.id}/confirm")
    db.session.refresh(ticket)
    assert ticket.status == "closed" and ticket.closed_at is not None
    kinds = [(e.kind, e.old_status, e.new_status, e.actor_id) for e in ticket.events]
    assert kinds == [
        ("created", None, "new", world.teacher.id),
        ("claimed", "new", "in_progress", world.manager.id),
        ("waiting", "in_progress", "waiting", world.manager.id),
        ("replied", "waiting", "in_progress", world.teacher.id),
        ("resolved", "in_progress", "resolved", world.manager.id),
        ("confirmed", "resolved", "closed", world.teacher.id),
    ]


def test_escalation_story_with_analysis_return_and_level_two_resolution(world, as_user):
    ticket = world.ticket("in_progress")
    manager, house = as_user(world.manager), as_user(world.system_house)

    # An incomplete analysis is refused field by field and changes nothing.
    response = manager.post(
        f"/tickets/{ticket.id}/escalate", data={"escalate-symptoms": "Kein Bild"}
    )
    assert response.status_code == 422
    assert set(field_errors(response.text)) >= {
        "escalate-steps_tried",
        "escalate-device_data",
        "escalate-reproduce",
    }
    assert "Kein Bild" in response.text  # what was typed is kept
    db.session.refresh(ticket)
    assert ticket.status == "in_progress" and ticket.level == 1

    assert house.get(f"/tickets/{ticket.id}").status_code == 404  # not escalated yet
    data = {f"escalate-{k}": v for k, v in ANALYSIS.items()}
    assert manager.post(f"/tickets/{ticket.id}/escalate", data=data).status_code == 302
    db.session.refresh(ticket)
    assert (ticket.status, ticket.level, ticket.assignee_id) == ("escalated", 2, None)
    assert ticket.escalated_at is not None

    queue = house.get("/tickets/")
    assert "Beamer zeigt kein Bild" in queue.text
    page = house.get(f"/tickets/{ticket.id}")
    assert page.text.index(ANALYSIS["steps_tried"]) < page.text.index("Beschreibung")
    # The manager still sees it, "at the system house", and stays the go-between.
    assert "Beamer zeigt kein Bild" in manager.get("/tickets/?status=open&level=2").text
    manager.post(f"/tickets/{ticket.id}/note", data={"note-text": "Lehrerin bittet um Eile."})

    house.post(f"/tickets/{ticket.id}/claim")
    house.post(f"/tickets/{ticket.id}/return", data={"return-text": "Bitte Lampenstunden prüfen."})
    db.session.refresh(ticket)
    assert (ticket.status, ticket.level, ticket.assignee_id) == ("in_progress", 1, world.manager.id)
    assert manager.post(f"/tickets/{ticket.id}/escalate", data=data).status_code == 302
    house.post(f"/tickets/{ticket.id}/claim")
    house.post(
        f"/tickets/{ticket.id}/resolve",
        data={"resolve-text": "Mainboard getauscht.", "resolve-l1_capable": "y"},
    )
    db.session.refresh(ticket)
    assert (ticket.status, ticket.resolved_level, ticket.l1_capable) == ("resolved", 2, True)
    assert len(ticket.analyses) == 2


def test_teacher_reopens_within_14_days_back_to_the_previous_manager(world, as_user):
    ticket = world.ticket("resolved_l2")
    teacher = as_user(world.teacher)
    teacher.post(f"/tickets/{ticket.id}/reopen", data={"reopen-text": "Geht wieder nicht."})
    db.session.refresh(ticket)
    assert (ticket.status, ticket.level, ticket.assignee_id) == ("in_progress", 1, world.manager.id)
    assert ticket.resolved_at is None and ticket.resolved_level is None
    assert ticket.escalated_at is not None  # it stays an escalated ticket for the reports


def test_reopen_after_14_days_is_refused(world):
    ticket = world.ticket("new")
    long_ago = utcnow() - timedelta(days=20)
    services.resolve(world.manager, ticket, "Erledigt.", now=long_ago)
    db.session.commit()
    try:
        services.reopen(world.teacher, ticket, "Doch nicht.")
    except InvalidTransition as error:
        assert "14" in str(error.message)
    else:
        raise AssertionError("reopen after 14 days was accepted")
    db.session.rollback()
    assert ticket.status == "resolved"


def test_internal_notes_and_analysis_are_never_shown_to_the_teacher(world, as_user):
    ticket = world.ticket("escalated")
    services.note(world.manager, ticket, "Geheime interne Notiz")
    services.return_to_level1(world.system_house, ticket, "Interne Rückgabe an L1")
    db.session.commit()
    page = as_user(world.teacher).get(f"/tickets/{ticket.id}")
    assert "Geheime interne Notiz" not in page.text
    assert "Interne Rückgabe an L1" not in page.text
    assert ANALYSIS["steps_tried"] not in page.text
    manager_page = as_user(world.manager).get(f"/tickets/{ticket.id}")
    assert "Geheime interne Notiz" in manager_page.text


def test_second_claim_says_who_already_has_it(world, as_user):
    ticket = world.ticket("new")
    as_user(world.manager).post(f"/tickets/{ticket.id}/claim")
    response = as_user(world.colleague).post(f"/tickets/{ticket.id}/claim")
    assert response.status_code == 409
    db.session.refresh(ticket)
    assert ticket.assignee_id == world.manager.id


def test_manager_cancels_a_duplicate_only_with_a_reason(world, as_user):
    ticket = world.ticket("new")
    manager = as_user(world.manager)
    response = manager.post(f"/tickets/{ticket.id}/cancel", data={"cancel-text": " "})
    assert response.status_code == 422
    assert "cancel-text" in field_errors(response.text)
    db.session.refresh(ticket)
    assert ticket.status == "new"
    manager.post(f"/tickets/{ticket.id}/cancel", data={"cancel-text": "Doppelt, siehe #1."})
    db.session.refresh(ticket)
    assert ticket.status == TicketStatus.CANCELLED and ticket.closed_at is not None


def test_assign_only_to_a_colleague_of_the_right_level(world, as_user):
    ticket = world.ticket("new")
    manager = as_user(world.manager)
    response = manager.post(
        f"/tickets/{ticket.id}/assign", data={"assign-assignee_id": str(world.far_manager.id)}
    )
    assert response.status_code == 422
    db.session.refresh(ticket)
    assert ticket.assignee_id is None
    manager.post(
        f"/tickets/{ticket.id}/assign", data={"assign-assignee_id": str(world.colleague.id)}
    )
    db.session.refresh(ticket)
    assert (ticket.status, ticket.assignee_id) == ("in_progress", world.colleague.id)


def test_close_stale_closes_only_week_old_resolutions(app, world):
    old, fresh = world.ticket("new"), world.ticket("new")
    services.resolve(world.manager, old, "Erledigt.", now=utcnow() - timedelta(days=8))
    services.resolve(world.manager, fresh, "Erledigt.", now=utcnow() - timedelta(days=2))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["campus", "close-stale"])
    assert result.exit_code == 0
    assert "Closed 1 " in result.output
    db.session.refresh(old)
    db.session.refresh(fresh)
    assert (old.status, old.events[-1].kind, old.events[-1].actor_id) == ("closed", "closed", None)
    assert fresh.status == "resolved"
    again = app.test_cli_runner().invoke(args=["campus", "close-stale"])
    assert "Closed 0 " in again.output


def next_link(html: str) -> str:
    return re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")


def test_queue_filters_sorts_and_paginates(app, world, as_user):
    for n in range(30):
        world.ticket("new", title=f"Problem {n:02d}", impact="minor" if n else "blocking")
    manager = as_user(world.manager)
    first = manager.get("/tickets/?status=open&level=1&sort=impact")
    rows = re.findall(r'<a href="/tickets/\d+">([^<]+)</a>', first.text)
    assert len(rows) == app.config["ITEMS_PER_PAGE"]
    assert rows[0] == "Problem 00"  # the blocking one first
    assert "30 entries" in first.text or "30 Einträge" in first.text
    second = manager.get(next_link(first.text))
    assert len(re.findall(r'<a href="/tickets/\d+">', second.text)) == 5
    assert 'rel="next"' not in second.text
    back = manager.get(
        re.search(r'href="([^"]+)" rel="prev"', second.text).group(1).replace("&amp;", "&")
    )
    assert re.findall(r'<a href="/tickets/\d+">([^<]+)</a>', back.text) == rows
    minor = manager.get("/tickets/?impact=blocking")
    assert re.findall(r'<a href="/tickets/\d+">([^<]+)</a>', minor.text) == ["Problem 00"]
    services.claim(
        world.manager, db.session.scalar(db.select(Ticket).where(Ticket.title == "Problem 05"))
    )
    db.session.commit()
    mine = manager.get("/tickets/?assignee=mine&status=open")
    assert re.findall(r'<a href="/tickets/\d+">([^<]+)</a>', mine.text) == ["Problem 05"]


def test_queue_does_not_query_per_row(world, as_user, count_queries):
    manager = as_user(world.manager)
    for n in range(12):
        world.ticket("in_progress", title="Alpha" if n < 2 else "Beta")
    db.session.expunge_all()  # each request starts with an empty session, as in production
    with count_queries() as few:
        assert manager.get("/tickets/?status=open&q=Alpha").text.count('<a href="/tickets/') == 2
    db.session.expunge_all()
    with count_queries() as many:
        assert manager.get("/tickets/?status=open&q=Beta").text.count('<a href="/tickets/') == 10
    assert many.count == few.count


def test_second_claimer_is_told_who_has_it_and_names_are_escaped(world, as_user):
    world.manager.display_name = "Marco <b>Brandt</b>"
    db.session.commit()
    ticket = world.ticket("new")
    as_user(world.manager).post(f"/tickets/{ticket.id}/claim")
    page = as_user(world.colleague).post(f"/tickets/{ticket.id}/claim")
    assert page.status_code == 409
    assert "Bereits von Marco &lt;b&gt;Brandt&lt;/b&gt; übernommen" in page.text
    assert "<b>Brandt</b>" not in page.text


def test_escalating_straight_away_counts_as_the_first_response(world):
    ticket = world.ticket("new")
    services.escalate(world.manager, ticket, ANALYSIS)
    assert ticket.first_response_at is not None


def test_reopen_is_not_offered_after_the_deadline(world, as_user):
    ticket = world.ticket("new")
    services.resolve(world.manager, ticket, "Erledigt.", now=utcnow() - timedelta(days=15))
    db.session.commit()
    page = as_user(world.teacher).get(f"/tickets/{ticket.id}")
    assert f'action="/tickets/{ticket.id}/reopen"' not in page.text
    assert f'action="/tickets/{ticket.id}/confirm"' in page.text


def test_deactivating_a_manager_puts_their_tickets_back_into_the_queue(world, as_user):
    working = world.ticket("in_progress")
    at_house = world.ticket("escalated")  # l1_assignee is the manager
    admin = as_user(world.admin)
    admin.post(f"/admin/users/{world.manager.id}/active", data={"active": "0"})
    db.session.refresh(working)
    assert (working.status, working.assignee_id) == ("new", None)
    assert working.events[-1].kind == "released" and working.events[-1].internal
    # The system house's answer can no longer go back to the deactivated manager.
    services.return_to_level1(world.system_house, at_house, "Bitte vor Ort prüfen.")
    db.session.commit()
    assert (at_house.status, at_house.assignee_id) == ("new", None)
    assert at_house.id in {
        int(i)
        for i in re.findall(
            r'href="/tickets/(\d+)"', as_user(world.colleague).get("/tickets/").text
        )
    }


def test_moving_a_manager_to_another_campus_releases_the_old_campus_tickets(world, as_user):
    working = world.ticket("in_progress")
    far_campus = world.far_manager.managed_campuses[0]
    as_user(world.admin).post(
        f"/admin/users/{world.manager.id}/edit",
        data={
            "display_name": world.manager.display_name,
            "email": world.manager.email,
            "role": "campus_manager",
            "campus_ids": [str(far_campus.id)],
            "password": "",
        },
    )
    db.session.refresh(working)
    assert (working.status, working.assignee_id) == ("new", None)


def test_ticket_page_does_not_query_per_event(world, as_user, count_queries):
    ticket = world.ticket("in_progress")
    manager_id, colleague_id, ticket_id = world.manager.id, world.colleague.id, ticket.id
    browser = as_user(world.manager)
    db.session.expunge_all()  # each request starts with an empty session, as in production
    with count_queries() as few:
        assert browser.get(f"/tickets/{ticket_id}").status_code == 200
    ticket = db.session.get(Ticket, ticket_id)
    for n in range(6):
        author = db.session.get(User, colleague_id if n % 2 else manager_id)
        services.note(author, ticket, f"Notiz {n}")
    db.session.commit()
    db.session.expunge_all()
    with count_queries() as many:
        assert browser.get(f"/tickets/{ticket_id}").status_code == 200
    assert many.count == few.count
