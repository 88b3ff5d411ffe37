"""Each access rule, on the list and on the detail page alike."""

import re

import pytest

from campus.extensions import db
from campus.models import Ticket
from campus.permissions import visible_tickets


def listed(browser, path="/tickets/?status=") -> set[int]:
    html = browser.get(path, follow_redirects=True).text
    return {int(i) for i in re.findall(r'href="/tickets/(\d+)"', html)}


def test_teacher_sees_only_own_tickets(world, as_user):
    own = world.ticket("new")
    other = world.ticket("new")
    other.reporter_id = world.other_teacher.id  # a colleague's ticket at the same school
    db.session.commit()
    browser = as_user(world.teacher)
    assert listed(browser, "/tickets/mine") == {own.id}
    assert browser.get("/tickets/", follow_redirects=True).request.path == "/tickets/mine"
    assert browser.get(f"/tickets/{own.id}").status_code == 200
    assert browser.get(f"/tickets/{other.id}").status_code == 404


def test_manager_sees_only_their_campuses_tickets(world, as_user):
    ours = world.ticket("new")
    far = as_user(world.far_manager)
    assert ours.id not in listed(far)
    assert far.get(f"/tickets/{ours.id}").status_code == 404
    assert ours.id in listed(as_user(world.manager))


def test_system_house_sees_only_tickets_escalated_at_least_once(world, as_user):
    plain = world.ticket("in_progress")
    escalated = world.ticket("escalated")
    returned = world.ticket("returned")
    house = as_user(world.system_house)
    assert listed(house) == {escalated.id, returned.id}
    assert house.get(f"/tickets/{plain.id}").status_code == 404
    assert house.get(f"/tickets/{returned.id}").status_code == 200


def test_admin_sees_every_ticket_but_may_not_act(world, as_user):
    tickets = {world.ticket("new").id, world.ticket("escalated").id}
    admin = as_user(world.admin)
    assert listed(admin) == tickets
    for ticket_id in tickets:
        page = admin.get(f"/tickets/{ticket_id}")
        assert page.status_code == 200
        assert not re.search(rf'action="/tickets/{ticket_id}/\w+"', page.text)
    response = admin.post(f"/tickets/{min(tickets)}/claim")
    assert response.status_code == 403


def test_unknown_ticket_ids_answer_404(world, as_user):
    assert as_user(world.manager).get("/tickets/99999").status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, world):
    ticket = world.ticket("new")
    for path in ("/tickets/", "/tickets/mine", "/tickets/new", f"/tickets/{ticket.id}"):
        assert client.get(path).location.startswith("/auth/login")


@pytest.mark.parametrize(
    "role",
    [
        "teacher",
        "other_teacher",
        "far_teacher",
        "manager",
        "colleague",
        "far_manager",
        "system_house",
        "admin",
    ],
)
def test_list_filter_and_detail_rule_agree_for_every_user(world, role):
    """The query filter and the single-object rule give the same answer for every ticket."""
    from campus.permissions import can_view_ticket

    tickets = [world.ticket(s) for s in ("new", "escalated", "returned", "resolved", "cancelled")]
    user = getattr(world, role)
    visible = set(db.session.scalars(visible_tickets(user, db.select(Ticket.id))))
    assert visible == {t.id for t in tickets if can_view_ticket(user, t)}
