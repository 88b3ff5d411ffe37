"""The inventory: who sees and edits which devices, history and the replace flag."""

import re
from datetime import timedelta

from sqlalchemy import select

from campus.extensions import db
from campus.models import Device, Room, report_days, utcnow
from campus.reports.facts import rebuild_facts
from campus.tickets.filing import report_ticket
from tests.conftest import field_errors


def device_of(world, school=None, **values) -> Device:
    values = {
        "type": "display_projector",
        "inventory_number": "HHG-BEA-0001",
        "model": "Epson EB-695Wi",
        "room": "A 101",
        **values,
    }
    device = Device(school=school or world.teacher.school, **values)
    db.session.add(device)
    db.session.commit()
    return device


def ticket_for(world, device, days_ago=0):
    ticket = report_ticket(
        world.teacher,
        title="Beamer",
        description="kein Bild",
        category="projector_display",
        impact="blocking",
        device_id=device.id,
        now=utcnow() - timedelta(days=days_ago),
    )
    db.session.commit()
    return ticket


def test_teacher_sees_own_school_inventory_read_only(world, as_user):
    own = device_of(world)
    far = device_of(world, school=world.far_teacher.school, inventory_number="PXG-1")
    teacher = as_user(world.teacher)
    listing = teacher.get("/devices/").text
    assert "HHG-BEA-0001" in listing and "PXG-1" not in listing
    assert "Neues Gerät" not in listing
    assert teacher.get(f"/devices/{own.id}").status_code == 200
    assert teacher.get(f"/devices/{far.id}").status_code == 404
    assert teacher.get(f"/devices/{own.id}/edit").status_code == 403
    assert (
        teacher.post(
            f"/devices/new?school={own.school_id}", data={"inventory_number": "X", "type": "tablet"}
        ).status_code
        == 403
    )


def test_manager_edits_their_campus_inventory_and_rooms_appear(world, as_user):
    manager = as_user(world.manager)
    school_id = world.teacher.school_id
    response = manager.post(
        f"/devices/new?school={school_id}",
        data={
            "inventory_number": "HHG-TAB-0042",
            "type": "tablet",
            "model": "iPad 10",
            "serial_number": "F9X",
            "room": "Chemie 1",
            "status": "in_use",
            "notes": "",
        },
    )
    assert response.status_code == 302
    device = db.session.scalar(select(Device).where(Device.inventory_number == "HHG-TAB-0042"))
    assert (device.school_id, device.room, device.status) == (school_id, "Chemie 1", "in_use")
    assert len(device.token) >= 16  # an opaque token for the QR label, not the id
    assert db.session.scalar(select(Room).where(Room.name == "Chemie 1")) is not None
    far = as_user(world.far_manager)
    assert far.get(f"/devices/{device.id}/edit").status_code == 404
    assert far.get(f"/devices/new?school={school_id}").status_code == 403


def test_bad_device_input_is_refused_next_to_the_field(world, as_user):
    device_of(world)
    response = as_user(world.manager).post(
        f"/devices/new?school={world.teacher.school_id}",
        data={"inventory_number": "HHG-BEA-0001", "type": "toaster", "status": "in_use"},
    )
    assert response.status_code == 422
    assert set(field_errors(response.text)) >= {"inventory_number", "type"}
    assert db.session.scalar(select(db.func.count(Device.id))) == 1


def test_retired_device_keeps_its_tickets_and_leaves_the_default_list(world, as_user):
    device = device_of(world)
    ticket = ticket_for(world, device)
    manager = as_user(world.manager)
    manager.post(
        f"/devices/{device.id}/edit",
        data={
            "inventory_number": device.inventory_number,
            "type": device.type,
            "model": device.model,
            "room": device.room,
            "status": "retired",
            "notes": "Ausgemustert",
        },
        follow_redirects=True,  # read the confirmation, which names the device
    )
    db.session.refresh(device)
    assert device.status == "retired"
    assert "HHG-BEA-0001" not in manager.get("/devices/").text
    assert "HHG-BEA-0001" in manager.get("/devices/?status=retired").text
    assert f"/tickets/{ticket.id}" in manager.get(f"/devices/{device.id}").text


def test_three_tickets_in_90_days_flag_the_device_for_replacement(world, as_user):
    device = device_of(world)
    ticket_for(world, device, days_ago=120)  # too old to count
    ticket_for(world, device, days_ago=60)
    latest = ticket_for(world, device, days_ago=1)
    manager = as_user(world.manager)
    assert "Austausch erwägen" not in manager.get(f"/devices/{device.id}").text
    ticket_for(world, device, days_ago=0)
    assert "Austausch erwägen" in manager.get(f"/devices/{device.id}").text
    assert "Austausch erwägen" in manager.get(f"/tickets/{latest.id}").text


def test_ticket_page_shows_earlier_tickets_of_the_device_and_of_the_same_model(world, as_user):
    device = device_of(world)
    twin = device_of(world, inventory_number="HHG-BEA-0002", room="B 113")
    older = ticket_for(world, twin, days_ago=30)
    from campus.tickets import services

    services.resolve(world.manager, older, "Lampe getauscht.")
    db.session.commit()
    current = ticket_for(world, device)
    page = as_user(world.manager).get(f"/tickets/{current.id}").text
    assert f"#{older.number}" in page and "Lampe getauscht." in page
    teacher_page = as_user(world.teacher).get(f"/tickets/{current.id}").text
    assert "Lampe getauscht." not in teacher_page  # history is for the support side


def test_changing_a_device_type_moves_its_tickets_in_the_reports(world, as_user):
    device = device_of(world)
    ticket_for(world, device)
    as_user(world.manager).post(
        f"/devices/{device.id}/edit",
        data={
            "inventory_number": device.inventory_number,
            "type": "other",
            "model": device.model,
            "room": device.room,
            "status": "in_use",
        },
    )
    kept = sorted(r for r in db.session.execute(select(report_days)).all() if any(r[5:]))
    rebuild_facts()
    rebuilt = sorted(r for r in db.session.execute(select(report_days)).all() if any(r[5:]))
    assert kept == rebuilt
    keys = {
        r.key
        for r in db.session.execute(
            select(report_days).where(
                report_days.c.dimension == "device_type", report_days.c.recorded > 0
            )
        )
    }
    assert keys == {"other"}


def test_inventory_list_is_paginated_without_queries_per_row(app, world, as_user, count_queries):
    for n in range(30):
        db.session.add(
            Device(school=world.teacher.school, type="tablet", inventory_number=f"HHG-TAB-{n:04d}")
        )
    db.session.commit()
    manager = as_user(world.manager)
    school_id = world.teacher.school_id
    first = manager.get(f"/devices/?school={school_id}")
    assert len(re.findall(r'href="/devices/\d+"', first.text)) == app.config["ITEMS_PER_PAGE"]
    db.session.expunge_all()
    with count_queries() as counted:
        manager.get(f"/devices/?school={school_id}&page=2")
    assert counted.count < 12


def test_the_school_filter_offers_only_visible_schools_and_pins_a_single_one(
    world, as_user, make_school
):
    far_school = world.far_teacher.school
    # The far manager's campus has one school: its inventory, with the editor's buttons.
    far = as_user(world.far_manager).get(f"/devices/?school={world.teacher.school_id}").text
    assert far_school.name in far and "Helmholtz-Gymnasium" not in far
    assert "Neues Gerät" in far
    # With a second school on the campus the manager chooses; another campus's is not offered.
    second = make_school(world.teacher.school.campus, name="Goethe-Schule")
    listing = as_user(world.manager).get("/devices/").text
    assert "Helmholtz-Gymnasium" in listing and second.name in listing
    assert far_school.name not in listing and "Neues Gerät" not in listing
    chosen = as_user(world.manager).get(f"/devices/?school={far_school.id}").text
    assert far_school.name not in chosen and "Neues Gerät" not in chosen
