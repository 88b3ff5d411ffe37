"""Pupil interns (issue 19) through the real HTTP client: setting an internship up, access
that ends by itself, supervised work on tickets with four-eyes approval, what an intern
never sees, and the plan."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campus.extensions import db
from campus.interns.services import create_internship
from campus.models import (
    Internship,
    InternWork,
    Mail,
    PlanEntry,
    Role,
    TicketStatus,
    User,
)
from campus.reports.period import today_in_berlin
from campus.tickets import intern_work, services
from campus.tickets.workflow import Action
from tests.conftest import PASSWORD, logged_in, login

TODAY = today_in_berlin()


def make_intern(world, *, supervisor=None, starts=0, ends=10, email="pia@schule.example"):
    internship = create_internship(
        world.admin,
        email=email,
        display_name="Pia Praktikantin",
        starts_on=TODAY + timedelta(days=starts),
        ends_on=TODAY + timedelta(days=ends),
        supervisor_id=(supervisor or world.manager).id,
    )
    intern = internship.intern
    intern.set_password(PASSWORD)
    db.session.commit()
    return intern


@pytest.fixture
def pia(world):
    return make_intern(world, ends=14)  # the next whole week lies within


def test_an_admin_sets_up_an_internship_and_the_intern_is_invited(world, as_user):
    admin = as_user(world.admin)
    response = admin.post(
        "/internships/new",
        data={
            "display_name": "Pia Praktikantin",
            "email": "Pia@Schule.example",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + timedelta(days=14)).isoformat(),
            "supervisor_id": str(world.manager.id),
        },
    )
    assert response.status_code == 302
    intern = db.session.scalar(select(User).where(User.email == "pia@schule.example"))
    assert intern.role == Role.INTERN and intern.access_until == TODAY + timedelta(days=14)
    internship = db.session.scalar(select(Internship))
    assert internship.supervisor_id == world.manager.id and internship.intern_id == intern.id
    [mail] = db.session.scalars(select(Mail).where(Mail.kind == "invitation")).all()
    assert mail.to_address == "pia@schule.example"


def test_a_campus_manager_sets_up_internships_for_herself_only(world, as_user):
    manager = as_user(world.manager)
    form = manager.get("/internships/new").text
    assert "supervisor_id" not in form
    manager.post(
        "/internships/new",
        data={
            "display_name": "Paul",
            "email": "paul@schule.example",
            "starts_on": TODAY.isoformat(),
            "ends_on": TODAY.isoformat(),
            "supervisor_id": str(world.far_manager.id),  # ignored: she supervises
        },
    )
    assert db.session.scalar(select(Internship.supervisor_id)) == world.manager.id


@pytest.mark.parametrize(
    "starts, ends, field, message",
    [
        (3, 1, "ends_on", "vor dem ersten Tag"),
        (0, 120, "ends_on", "höchstens 92 Tage"),
        (-20, -10, "ends_on", "schon vorbei"),
    ],
)
def test_a_wrong_period_is_refused_next_to_its_field(world, as_user, starts, ends, field, message):
    admin = as_user(world.admin)
    response = admin.post(
        "/internships/new",
        data={
            "display_name": "Pia",
            "email": "pia@schule.example",
            "starts_on": (TODAY + timedelta(days=starts)).isoformat(),
            "ends_on": (TODAY + timedelta(days=ends)).isoformat(),
            "supervisor_id": str(world.manager.id),
        },
    )
    assert response.status_code == 422 and message in response.text
    assert db.session.scalar(select(func.count(Internship.id))) == 0


def test_access_ends_by_itself_for_pages_and_the_api(world, app, as_user, token_for):
    intern = make_intern(world, starts=0, ends=0)
    browser = as_user(intern)
    token = token_for(intern)
    assert browser.get("/").status_code == 200
    assert app.test_client().get("/api/v1/tickets", headers=token).status_code == 200
    # The last day is over (as if tomorrow had come): nothing works any more.
    intern.access_until = TODAY - timedelta(days=1)
    db.session.commit()
    assert not logged_in(browser)
    assert app.test_client().get("/api/v1/tickets", headers=token).status_code == 401
    ended = login(app.test_client(), intern.email)
    assert ended.status_code == 403 and "Ihr Praktikum endete am" in ended.text


def test_an_upcoming_internship_has_no_access_yet(world, app):
    intern = make_intern(world, starts=3, ends=10)
    early = login(app.test_client(), intern.email)
    # Told when it begins, as she knows her password; a wrong one learns nothing.
    assert early.status_code == 403 and "Ihr Praktikum beginnt am" in early.text
    wrong = login(app.test_client(), intern.email, "not-her-password")
    assert wrong.status_code != 302 and "Praktikum" not in wrong.text
    intern.active = False  # deactivated by an administrator: no more than for anyone
    db.session.commit()
    out = login(app.test_client(), intern.email)
    assert out.status_code != 302 and "Praktikum beginnt" not in out.text


def test_the_four_eyes_flow(world, pia, as_user):
    ticket = world.ticket("new")
    manager, intern, teacher = as_user(world.manager), as_user(pia), as_user(world.teacher)
    # Not handed over: the intern does not even see it.
    assert intern.get(f"/tickets/{ticket.id}").status_code == 404
    assert manager.post(f"/tickets/{ticket.id}/hand_over").status_code == 302
    page = intern.get(f"/tickets/{ticket.id}")
    assert page.status_code == 200 and offered(page.text, ticket.id) == {Action.TAKE}
    intern.post(f"/tickets/{ticket.id}/take")
    db.session.expire_all()
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.assignee_id == world.manager.id
    page = intern.get(f"/tickets/{ticket.id}")
    assert offered(page.text, ticket.id) == {Action.REPLY, Action.NOTE, Action.PROPOSE}
    intern.post(
        f"/tickets/{ticket.id}/reply", data={"reply-text": "Ich komme in der Pause vorbei."}
    )
    intern.post(f"/tickets/{ticket.id}/note", data={"note-text": "Kabel sieht locker aus."})
    intern.post(f"/tickets/{ticket.id}/propose", data={"propose-text": "HDMI-Kabel getauscht."})
    db.session.expire_all()
    assert ticket.status == TicketStatus.IN_PROGRESS  # nothing happens before approval
    seen = teacher.get(f"/tickets/{ticket.id}").text
    assert "Ich komme in der Pause vorbei." in seen and "HDMI-Kabel getauscht." not in seen
    # The supervisor sends it back once, then approves the second proposal.
    assert Action.APPROVE in offered(manager.get(f"/tickets/{ticket.id}").text, ticket.id)
    manager.post(f"/tickets/{ticket.id}/send_back", data={"send_back-text": "Bitte genauer."})
    assert "Bitte genauer." in intern.get(f"/tickets/{ticket.id}").text
    intern.post(
        f"/tickets/{ticket.id}/propose",
        data={"propose-text": "Kabel am Pult getauscht, Bild ist da."},
    )
    assert approve_as_shown(manager, ticket).status_code == 302
    db.session.expire_all()
    assert ticket.status == TicketStatus.RESOLVED and ticket.resolved_level == 1
    assert ticket.events[-1].text == "Kabel am Pult getauscht, Bild ist da."
    assert "Kabel am Pult getauscht" in teacher.get(f"/tickets/{ticket.id}").text
    work = db.session.get(InternWork, ticket.id)
    assert work.approved_at is not None and work.sent_back == 1


def approve_as_shown(browser, ticket):
    """Approve the proposal the ticket page shows (its form names the proposal)."""
    page = browser.get(f"/tickets/{ticket.id}").text
    shown = re.search(r'name="approve-proposal" type="hidden" value="(\d+)"', page).group(1)
    return browser.post(f"/tickets/{ticket.id}/approve", data={"approve-proposal": shown})


def offered(html: str, ticket_id: int) -> set[Action]:
    found = re.findall(rf'action="/tickets/{ticket_id}/(\w+)"', html)
    return {Action(a) for a in found if a != "feedback"}


@pytest.mark.parametrize("action", ["resolve", "escalate", "wait", "cancel", "claim", "assign"])
def test_an_intern_may_not_decide_for_herself(world, pia, as_user, action):
    ticket = world.ticket("new")
    intern_work.hand_over(world.manager, ticket)
    intern_work.take(pia, ticket)
    db.session.commit()
    before = (ticket.status, len(ticket.events))
    response = as_user(pia).post(f"/tickets/{ticket.id}/{action}", data={f"{action}-text": "x"})
    assert response.status_code in (403, 409, 422)
    db.session.expire_all()
    assert (ticket.status, len(ticket.events)) == before


def test_only_the_supervisor_approves(world, pia, as_user):
    ticket = world.ticket("new")
    intern_work.hand_over(world.manager, ticket)
    intern_work.take(pia, ticket)
    intern_work.propose(pia, ticket, "Neu gestartet.")
    db.session.commit()
    colleague = as_user(world.colleague)  # a manager of the same campus, not supervising
    assert Action.APPROVE not in offered(colleague.get(f"/tickets/{ticket.id}").text, ticket.id)
    assert colleague.post(f"/tickets/{ticket.id}/approve").status_code == 403
    db.session.expire_all()
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_a_ticket_taken_by_one_intern_is_out_of_sight_for_another(world, pia, as_user):
    other = make_intern(world, email="olli@schule.example")
    ticket = world.ticket("new")
    intern_work.hand_over(world.manager, ticket)
    intern_work.take(pia, ticket)
    db.session.commit()
    assert as_user(other).get(f"/tickets/{ticket.id}").status_code == 404
    assert as_user(other).post(f"/tickets/{ticket.id}/take").status_code == 404


def test_an_intern_never_sees_others_internal_notes_reports_or_the_administration(
    world, pia, as_user, app, token_for
):
    ticket = world.ticket("new")
    services.note(world.manager, ticket, "Lehrerin ist oft krank, bitte nachsichtig sein.")
    intern_work.hand_over(world.manager, ticket)
    db.session.commit()
    intern = as_user(pia)
    assert "oft krank" not in intern.get(f"/tickets/{ticket.id}").text
    token = token_for(pia)
    api = app.test_client().get(f"/api/v1/tickets/{ticket.id}", headers=token)
    assert api.status_code == 200 and "oft krank" not in api.text
    for path in ("/reports/", "/reports/data.json", "/admin/users", "/admin/overview",
                 "/reports/evaluation"):  # fmt: skip
        assert intern.get(path).status_code in (403, 404), path
    other = world.ticket("new")  # not handed over
    listed = app.test_client().get("/api/v1/tickets", headers=token)
    assert {t["id"] for t in listed.get_json()["items"]} == {ticket.id}
    assert intern.get(f"/tickets/{other.id}").status_code == 404


def test_the_plan(world, pia, as_user):
    internship = pia.internship
    supervisor, intern = as_user(world.manager), as_user(pia)
    monday = TODAY + timedelta(days=7 - TODAY.weekday())
    supervisor.post(f"/internships/{internship.id}/week", data={"monday": monday.isoformat()})
    entries = db.session.scalars(select(PlanEntry).order_by(PlanEntry.day)).all()
    assert len(entries) == 10 and {e.day.weekday() for e in entries} == {0, 1, 2, 3, 4}
    assert entries[0].day == monday and entries[0].school_id is not None
    entry = entries[0]
    intern.post(
        f"/internships/{internship.id}/entries/{entry.id}/report", data={"text": "Viel gelernt."}
    )
    supervisor.post(
        f"/internships/{internship.id}/entries/{entry.id}/comment", data={"text": "Gut gemacht!"}
    )
    db.session.expire_all()
    assert (entry.report, entry.comment) == ("Viel gelernt.", "Gut gemacht!")
    # The intern cannot comment or plan; another manager does not even see it.
    assert (
        intern.post(
            f"/internships/{internship.id}/entries/{entry.id}/comment", data={"text": "x"}
        ).status_code
        == 403
    )
    assert intern.post(f"/internships/{internship.id}/week", data={}).status_code == 403
    assert as_user(world.far_manager).get(f"/internships/{internship.id}").status_code == 404
    # The start page shows today's and tomorrow's plan.
    supervisor.post(
        f"/internships/{internship.id}/entries",
        data={"day": TODAY.isoformat(), "part": "1_morning", "kind": "interview",
              "school_id": "0", "title": "", "task": ""},
    )  # fmt: skip
    home = intern.get("/").text
    assert "Heute" in home and "Morgen" in home and "Interview mit" in home
    assert (entries[0].title in home) == (monday == TODAY + timedelta(days=1))  # tomorrow's


def _co_solve(world, intern, **ticket_args):
    ticket = world.ticket("new", **ticket_args)
    intern_work.hand_over(world.manager, ticket)
    intern_work.take(intern, ticket)
    intern_work.propose(intern, ticket, "Lampe getauscht.")
    intern_work.approve(world.manager, ticket, intern_work.proposal_event_id(ticket))
    db.session.commit()
    return ticket


def test_the_certificate_is_signed_on_the_last_day_and_reads_back(world, as_user):
    from tests.functional.test_privacy_export import _pdf_text

    early = make_intern(world, ends=3, email="frueh@schule.example")
    response = as_user(world.manager).post(
        f"/internships/{early.internship.id}/sign-off", data={"closing_note": "x"}
    )
    assert response.status_code == 422 and "letzten Tag" in response.text
    assert db.session.get(Internship, early.internship.id).signed_off_at is None

    intern = make_intern(world, starts=0, ends=0)  # the last day is today
    internship = intern.internship
    supervisor, pupil = as_user(world.manager), as_user(intern)
    supervisor.post(
        f"/internships/{internship.id}/entries",
        data={"day": TODAY.isoformat(), "part": "1_morning", "kind": "labelling",
              "school_id": str(world.teacher.school_id), "title": "", "task": ""},
    )  # fmt: skip
    _co_solve(world, intern)
    assert pupil.get(f"/internships/{internship.id}/certificate.pdf").status_code == 404
    assert pupil.post(f"/internships/{internship.id}/sign-off", data={}).status_code == 403
    assert (
        as_user(world.colleague).post(f"/internships/{internship.id}/sign-off", data={}).status_code
        == 404
    )
    supervisor.post(
        f"/internships/{internship.id}/sign-off", data={"closing_note": "Sehr engagiert und genau."}
    )
    pdf = pupil.get(f"/internships/{internship.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(_pdf_text(pdf.data).split())
    for expected in (
        "Praktikumszertifikat",
        "Pia Praktikantin",
        "Helmholtz-Gymnasium",
        "Geräte etikettieren",
        "Mitgelöste Tickets: 1",
        "Sehr engagiert und genau.",
        world.manager.display_name,
    ):
        assert expected in text, expected


def test_the_reports_count_internships_without_names(world, as_user):
    intern = make_intern(world)
    _co_solve(world, intern)
    second = world.ticket("new")
    intern_work.hand_over(world.manager, second)
    intern_work.take(intern, second)
    intern_work.propose(intern, second, "Neustart.")
    intern_work.send_back(world.manager, second, "Bitte prüfen, ob es hält.")
    intern_work.propose(intern, second, "Neustart, hält seit zwei Tagen.")
    intern_work.approve(world.manager, second, intern_work.proposal_event_id(second))
    db.session.commit()
    page = as_user(world.admin).get("/reports/")
    section = page.text[page.text.index('id="internship-figures"') :]
    section = section[: section.index("</table>")]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", section)
    # One internship: its tickets would be Pia's own figures, so only the count shows.
    assert cells[:5] == ["Campus Nord", str(TODAY.year), "1", "–", "–"]
    assert "Pia" not in section
    # With three internships at the campus (counted once each, though their supervisors
    # manage two campuses), the tickets and the share show.
    world.manager.managed_campuses.append(world.far_manager.managed_campuses[0])
    for n in (2, 3):
        make_intern(world, email=f"praktikum{n}@schule.example")
    db.session.commit()
    page = as_user(world.admin).get("/reports/").text
    section = page[page.index('id="internship-figures"') :]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", section[: section.index("</table>")])
    assert cells == ["Campus Nord", str(TODAY.year), "3", "2", "50\xa0%"]
    # A manager of another campus sees none of it.
    far = as_user(world.far_manager).get("/reports/").text
    assert 'id="internship-figures"' not in far


def test_an_ended_internship_is_pseudonymised_after_the_retention_period(world, app, as_user):
    from campus.privacy.retention import run_retention

    intern = make_intern(world)
    internship = intern.internship
    as_user(world.manager).post(
        f"/internships/{internship.id}/week",
        data={"monday": (TODAY + timedelta(days=7 - TODAY.weekday())).isoformat()},
    )
    entry = db.session.scalar(select(PlanEntry))
    entry.report, entry.comment = "Ich habe Tablets eingerichtet.", "Sehr gut, Pia."
    intern.access_until = TODAY - timedelta(days=200)  # the default period is 180 days
    intern.access_from = TODAY - timedelta(days=210)
    db.session.commit()
    run_retention(app.config["UPLOAD_FOLDER"])
    db.session.expire_all()
    intern = db.session.get(User, intern.id)
    assert intern.pseudonymised_at is not None and intern.display_name == f"Praktikum #{intern.id}"
    assert (entry.report, entry.comment) == ("", "")


def test_the_intern_is_told_where_her_reply_goes(world, pia, as_user):
    ticket = world.ticket("new")
    intern_work.hand_over(world.manager, ticket)
    intern_work.take(pia, ticket)
    db.session.commit()
    page = as_user(pia).get(f"/tickets/{ticket.id}").text
    assert "Geht sofort an die Lehrkraft (auch per E-Mail)" in page
    assert "Ihre Nachricht geht an das Campusmanagement" not in page
    # And the teacher sees that an intern answers her.
    intern_work_reply = services.reply(pia, ticket, "Ich schaue es mir an.")
    db.session.commit()
    assert intern_work_reply.ticket.first_response_at is not None
    teacher_page = as_user(world.teacher).get(f"/tickets/{ticket.id}").text
    assert "Praktikant*in</span>" in teacher_page


def test_a_proposal_left_behind_by_the_ticket_cannot_be_approved(
    client, world, pia, as_user, token_for
):
    from tests.tickets_helpers import ANALYSIS

    ticket = world.ticket("new")
    intern_work.hand_over(world.manager, ticket)
    intern_work.take(pia, ticket)
    intern_work.propose(pia, ticket, "Beamer neu gestartet.")
    db.session.commit()
    manager = as_user(world.manager)
    page = manager.get(f"/tickets/{ticket.id}").text  # the supervisor reads the first one
    read = re.search(r'name="approve-proposal" type="hidden" value="(\d+)"', page).group(1)
    services.escalate(world.manager, ticket, ANALYSIS)
    db.session.commit()
    assert db.session.get(InternWork, ticket.id).proposal is None
    services.return_to_level1(world.system_house, ticket, "Lampe defekt, bitte tauschen.")
    db.session.commit()
    response = as_user(world.manager).post(f"/tickets/{ticket.id}/approve")
    assert response.status_code == 409
    db.session.expire_all()
    assert ticket.status != TicketStatus.RESOLVED
    # The intern may propose anew; what the supervisor read before is not approved by it.
    intern_work.propose(pia, ticket, "Lampe getauscht.")
    db.session.commit()
    response = manager.post(f"/tickets/{ticket.id}/approve", data={"approve-proposal": read})
    assert response.status_code == 409
    assert "hat sich geändert, seit Sie ihn gelesen haben" in response.text
    api = f"/api/v1/tickets/{ticket.id}/actions"
    unread = client.post(api, headers=token_for(world.manager), json={"action": "approve"})
    assert unread.status_code == 400 and "proposal" in unread.json["error"]["fields"]
    db.session.expire_all()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert approve_as_shown(manager, ticket).status_code == 302
    db.session.expire_all()
    assert ticket.status == TicketStatus.RESOLVED and ticket.events[-1].text == "Lampe getauscht."


def test_a_signed_certificate_stays_as_signed(world, as_user):
    from tests.functional.test_privacy_export import _pdf_text

    intern = make_intern(world, starts=0, ends=0)
    internship = intern.internship
    supervisor = as_user(world.manager)
    supervisor.post(f"/internships/{internship.id}/sign-off", data={"closing_note": "Gut."})
    before = " ".join(
        _pdf_text(supervisor.get(f"/internships/{internship.id}/certificate.pdf").data).split()
    )
    assert "Mitgelöste Tickets: 0" in before
    _co_solve(world, intern)  # later work is not on the signed certificate
    after = " ".join(
        _pdf_text(supervisor.get(f"/internships/{internship.id}/certificate.pdf").data).split()
    )
    assert "Mitgelöste Tickets: 0" in after
    again = supervisor.post(
        f"/internships/{internship.id}/sign-off", data={"closing_note": "Anders."}
    )
    assert again.status_code == 422 and "schon unterschrieben" in again.text
    moved = supervisor.post(
        f"/internships/{internship.id}/period",
        data={"starts_on": TODAY.isoformat(), "ends_on": (TODAY + timedelta(days=5)).isoformat()},
    )
    assert moved.status_code == 422
    db.session.expire_all()
    assert db.session.get(Internship, internship.id).ends_on == TODAY


def test_interns_are_set_up_only_as_internships(world, as_user):
    admin = as_user(world.admin)
    assert 'value="intern"' not in admin.get("/admin/users/new").text
    response = admin.post(
        f"/admin/users/{world.teacher.id}/edit",
        data={"email": world.teacher.email, "display_name": "X", "role": "intern"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, world.teacher.id).role == Role.TEACHER


def test_the_invitation_works_before_the_first_day(world, app):
    from campus.auth.invitations import invitation_link

    internship = create_internship(
        world.admin, email="bald@schule.example", display_name="Bald",
        starts_on=TODAY + timedelta(days=5), ends_on=TODAY + timedelta(days=9),
        supervisor_id=world.manager.id,
    )  # fmt: skip
    db.session.commit()
    link = invitation_link(internship.intern)
    path = link[link.index("/auth/") :]
    browser = app.test_client()
    assert browser.get(path).status_code == 200
    done = browser.post(
        path, data={"password": "ein-gutes-passwort", "confirm": "ein-gutes-passwort"}
    )
    assert done.status_code == 302


def test_no_hand_over_once_the_internships_are_over(world, as_user):
    intern = make_intern(world)
    internship = intern.internship
    internship.starts_on, internship.ends_on = TODAY - timedelta(days=9), TODAY - timedelta(days=1)
    db.session.commit()
    ticket = world.ticket("new")
    manager = as_user(world.manager)
    assert Action.HAND_OVER not in offered(manager.get(f"/tickets/{ticket.id}").text, ticket.id)
    assert manager.post(f"/tickets/{ticket.id}/hand_over").status_code == 403


def test_the_interns_own_data_holds_her_internship(world, pia, as_user):
    internship = pia.internship
    supervisor, intern = as_user(world.manager), as_user(pia)
    supervisor.post(
        f"/internships/{internship.id}/entries",
        data={"day": TODAY.isoformat(), "part": "1_morning", "kind": "tablets",
              "school_id": "0", "title": "", "task": ""},
    )  # fmt: skip
    entry = db.session.scalar(select(PlanEntry))
    intern.post(
        f"/internships/{internship.id}/entries/{entry.id}/report", data={"text": "Zehn Tablets."}
    )
    supervisor.post(
        f"/internships/{internship.id}/entries/{entry.id}/comment", data={"text": "Sorgfältig."}
    )
    data = intern.get("/profile/data.json").get_json()
    [planned] = data["internship"]["plan"]
    assert (planned["report"], planned["comment"]) == ("Zehn Tablets.", "Sorgfältig.")
    assert data["internship"]["supervisor"] == "campus_manager"  # others by role only
    assert world.manager.display_name not in intern.get("/profile/data.json").text
    assert intern.get("/profile/data.pdf").status_code == 200


def test_the_supervisors_queue_shows_what_waits_for_her_approval(world, pia, as_user):
    waiting, other = world.ticket("new"), world.ticket("new")
    for ticket in (waiting, other):
        intern_work.hand_over(world.manager, ticket)
        intern_work.take(pia, ticket)
    intern_work.propose(pia, waiting, "Neu gestartet.")
    db.session.commit()
    manager = as_user(world.manager)
    queue = manager.get("/tickets/").text
    tab = re.search(r'href="(/tickets/\?proposal=mine)">Zur Freigabe\s*<span[^>]*>1<', queue)
    assert tab is not None
    listed = manager.get(tab.group(1)).text
    assert f'href="/tickets/{waiting.id}"' in listed and f'href="/tickets/{other.id}"' not in listed
    assert "Wartet auf meine Freigabe" not in listed  # the tab says it, no chip needed
    # A colleague supervises nobody: no such tab (and the filter finds nothing for her).
    colleague = as_user(world.colleague)
    assert "proposal=mine" not in colleague.get("/tickets/").text
    assert f'href="/tickets/{waiting.id}"' not in colleague.get("/tickets/?proposal=mine").text
    assert approve_as_shown(manager, waiting).status_code == 302
    assert "proposal=mine" not in manager.get("/tickets/").text  # nothing waits any more


def test_an_administrator_hands_the_internship_to_a_new_supervisor(world, pia, as_user):
    from campus.admin.services import set_user_active

    ticket = world.ticket("new")
    intern_work.hand_over(world.manager, ticket)
    intern_work.take(pia, ticket)
    intern_work.propose(pia, ticket, "Neu gestartet.")
    set_user_active(world.admin, world.manager, False)  # the supervisor leaves
    db.session.commit()
    internship = pia.internship
    admin = as_user(world.admin)
    page = admin.get(f"/internships/{internship.id}").text
    assert 'id="supervisor-inactive"' in page
    assert "deaktiviert" in admin.get("/internships").text
    # Only an active campus manager; only administrators.
    url = f"/internships/{internship.id}/supervisor"
    refused = admin.post(url, data={"supervisor_id": str(world.teacher.id)})
    assert refused.status_code == 422 and "aktive Campusmanager" in refused.text
    # Not a manager of another campus while her open tickets are at this one.
    stranded = admin.post(url, data={"supervisor_id": str(world.far_manager.id)})
    assert stranded.status_code == 422 and "anderen Campus" in stranded.text
    colleague = as_user(world.colleague)  # not hers: not even to be seen
    assert colleague.post(url, data={"supervisor_id": str(world.colleague.id)}).status_code == 404
    assert admin.post(url, data={"supervisor_id": str(world.colleague.id)}).status_code == 302
    db.session.expire_all()
    assert internship.supervisor_id == world.colleague.id
    # The waiting proposal goes with the internship: the ticket went back to the queue
    # when its holder was deactivated; the new supervisor takes it on and approves.
    assert colleague.post(f"/tickets/{ticket.id}/claim").status_code == 302
    assert Action.APPROVE in offered(colleague.get(f"/tickets/{ticket.id}").text, ticket.id)
    assert approve_as_shown(colleague, ticket).status_code == 302
    db.session.expire_all()
    assert ticket.status == TicketStatus.RESOLVED
    assert 'id="supervisor-inactive"' not in admin.get(f"/internships/{internship.id}").text


def test_the_supervisor_sends_the_invitation_again_until_the_intern_has_joined(world, as_user):
    internship = create_internship(
        world.manager, email="lina@schule.example", display_name="Lina",
        starts_on=TODAY + timedelta(days=30), ends_on=TODAY + timedelta(days=40),
    )  # fmt: skip
    db.session.commit()
    manager = as_user(world.manager)
    page = manager.get(f"/internships/{internship.id}").text
    assert 'id="invitation"' in page

    def invitations():
        return db.session.scalar(
            select(func.count(Mail.id)).where(
                Mail.kind == "invitation", Mail.user_id == internship.intern_id
            )
        )

    assert invitations() == 1
    url = f"/internships/{internship.id}/invitation"
    assert manager.post(url, follow_redirects=True).status_code == 200
    assert invitations() == 2
    assert as_user(world.colleague).post(url).status_code == 404  # not her internship
    internship.intern.set_password(PASSWORD)  # Lina has joined
    db.session.commit()
    assert 'id="invitation"' not in manager.get(f"/internships/{internship.id}").text
    answer = manager.post(url, follow_redirects=True).text
    assert "hat bereits ein Passwort festgelegt" in answer
    assert invitations() == 2


def test_odd_input_and_probing_after_the_review(world, pia, as_user, token_for, client):
    internship = pia.internship
    admin, manager = as_user(world.admin), as_user(world.manager)
    huge = "9" * 30  # beyond 64 bits: refused next to the field, never a 500
    for url in ("/internships/new", f"/internships/{internship.id}/supervisor"):
        assert admin.post(url, data={"supervisor_id": huge}).status_code == 422
    # A period moved into the past by a typo is refused (it would end her account).
    moved = manager.post(
        f"/internships/{internship.id}/period",
        data={"starts_on": "0026-11-23", "ends_on": "0026-11-30"},
    )
    assert moved.status_code == 422 and "schon vorbei" in moved.text
    # A report of 4000 characters as the browser counts them (line breaks sent as two).
    entry = PlanEntry(internship=internship, day=TODAY, part="1_morning", kind="tickets",
                      title="Tickets")  # fmt: skip
    db.session.add(entry)
    db.session.commit()
    report = ("a" * 99 + "\r\n") * 40
    saved = as_user(pia).post(
        f"/internships/{internship.id}/entries/{entry.id}/report", data={"text": report}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert entry.report == report.replace("\r\n", "\n").strip()
    # Whether a proposal waits is nobody's business but the supervisor's.
    ticket = world.ticket("new")
    intern_work.hand_over(world.manager, ticket)
    intern_work.take(pia, ticket)
    db.session.commit()
    teacher = token_for(world.teacher)
    body = {"action": "approve", "proposal": 1}
    api = f"/api/v1/tickets/{ticket.id}/actions"
    before = client.post(api, headers=teacher, json=body).status_code
    intern_work.propose(pia, ticket, "Neu gestartet.")
    db.session.commit()
    assert before == client.post(api, headers=teacher, json=body).status_code == 403


def test_no_ticket_is_taken_while_the_supervisor_is_away(world, pia, as_user):
    from campus.admin.services import set_user_active

    ticket = world.ticket("new")
    intern_work.hand_over(world.manager, ticket)
    set_user_active(world.admin, world.manager, False)
    db.session.commit()
    refused = as_user(pia).post(f"/tickets/{ticket.id}/take")
    assert refused.status_code == 409 and "Verwaltung" in refused.text
    db.session.expire_all()
    assert db.session.get(InternWork, ticket.id).intern_id is None


def test_an_interns_entries_keep_their_badge_after_the_internship(world, pia, as_user):
    ticket = world.ticket("new")
    intern_work.hand_over(world.manager, ticket)
    intern_work.take(pia, ticket)
    services.reply(pia, ticket, "Ich schaue es mir an.")
    pia.access_until = TODAY - timedelta(days=1)  # the internship is over
    pia.access_from = TODAY - timedelta(days=5)
    db.session.commit()
    page = as_user(world.teacher).get(f"/tickets/{ticket.id}").text
    assert "Praktikant*in</span>" in page
