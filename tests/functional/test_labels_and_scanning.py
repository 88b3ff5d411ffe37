"""QR labels and room signs decode to this installation's scan addresses; scanning opens
the report form for the right school and refuses another school's device clearly."""

import re

import pypdfium2
import pytest
import zxingcpp

from campus.extensions import db
from campus.models import Device, Room
from tests.conftest import PASSWORD


def decode_pdf(data: bytes) -> list[str]:
    """Every QR code on every page, as text."""
    assert data.startswith(b"%PDF-")
    texts = []
    document = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(document)):
            image = document[index].render(scale=3).to_pil()
            texts += [result.text for result in zxingcpp.read_barcodes(image)]
    finally:
        document.close()
    return texts


@pytest.fixture
def devices(world):
    school = world.teacher.school
    made = [
        Device(
            school=school,
            type="tablet",
            inventory_number=f"HHG-TAB-{n:04d}",
            room="A 101" if n < 3 else "B 113",
            model="iPad 10",
        )
        for n in range(5)
    ]
    db.session.add_all(made)
    db.session.add(Room(school=school, name="A 101"))
    db.session.commit()
    return made


def test_label_sheet_has_one_qr_per_device_with_its_scan_address(app, world, as_user, devices):
    app.config["BASE_URL"] = "https://campus.dortmund.example"
    response = as_user(world.manager).get(f"/devices/labels.pdf?school={world.teacher.school_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    decoded = decode_pdf(response.data)
    assert sorted(decoded) == sorted(
        f"https://campus.dortmund.example/d/{d.token}" for d in devices
    )
    assert all(
        str(d.id) not in url.rsplit("/", 1)[1] or len(d.token) > 8
        for d, url in zip(devices, decoded, strict=False)
    )


def test_labels_for_one_room_and_for_chosen_devices(world, as_user, devices):
    manager = as_user(world.manager)
    school = world.teacher.school_id
    room = decode_pdf(manager.get(f"/devices/labels.pdf?school={school}&room=A 101").data)
    assert len(room) == 3
    chosen = ",".join(str(d.id) for d in devices[:2])
    picked = decode_pdf(manager.get(f"/devices/labels.pdf?school={school}&ids={chosen}").data)
    assert sorted(url.rsplit("/", 1)[1] for url in picked) == sorted(d.token for d in devices[:2])
    # The inventory list's checkboxes send id=..&id=..
    ticked = manager.get(f"/devices/labels.pdf?school={school}&id={devices[4].id}").data
    assert [url.rsplit("/", 1)[1] for url in decode_pdf(ticked)] == [devices[4].token]


def test_a_full_sheet_continues_on_a_second_page(world, as_user):
    school = world.teacher.school
    db.session.add_all(
        Device(school=school, type="tablet", inventory_number=f"T{n:03d}") for n in range(25)
    )
    db.session.commit()
    data = as_user(world.manager).get(f"/devices/labels.pdf?school={school.id}").data
    assert len(pypdfium2.PdfDocument(data)) == 2  # 24 labels per 3 x 8 sheet
    assert len(decode_pdf(data)) == 25


def test_room_sign_decodes_to_the_room_scan_address(world, as_user, devices):
    room = db.session.scalar(db.select(Room))
    response = as_user(world.manager).get(f"/devices/rooms/{room.id}/sign.pdf")
    assert decode_pdf(response.data) == [f"http://localhost/r/{room.token}"]


def test_only_the_schools_editors_print_labels(world, as_user, devices):
    school = world.teacher.school_id
    assert as_user(world.teacher).get(f"/devices/labels.pdf?school={school}").status_code == 403
    assert as_user(world.far_manager).get(f"/devices/labels.pdf?school={school}").status_code == 403


def test_scanning_asks_to_log_in_then_opens_the_prefilled_report(app, world, devices):
    browser = app.test_client()
    device = devices[0]
    response = browser.get(f"/d/{device.token}")
    assert response.status_code == 302 and "/auth/login" in response.location
    login = browser.post(
        f"/auth/login?next=/d/{device.token}",
        data={"email": world.teacher.email, "password": PASSWORD},
    )
    assert login.location == f"/d/{device.token}"
    scanned = browser.get(f"/d/{device.token}")
    assert scanned.location.startswith("/tickets/new?")
    form = browser.get(scanned.location).text
    assert f'<option selected value="{device.id}">' in form
    assert 'value="A 101"' in form  # the room is filled in
    assert re.search(r'<input checked[^>]*value="tablet_notebook"', form)  # and the category


def test_scanning_another_schools_device_is_refused_clearly(world, as_user, devices):
    response = as_user(world.far_teacher).get(f"/d/{devices[0].token}")
    assert response.status_code == 403
    assert "gehört zu Helmholtz-Gymnasium" in response.text


def test_scanning_a_room_sign_fills_in_the_room(world, as_user, devices):
    room = db.session.scalar(db.select(Room))
    teacher = as_user(world.teacher)
    response = teacher.get(f"/r/{room.token}")
    assert response.status_code == 302
    assert 'value="A 101"' in teacher.get(response.location).text
    assert as_user(world.far_teacher).get(f"/r/{room.token}").status_code == 403


def test_unknown_or_guessed_tokens_are_not_found(world, as_user, devices):
    teacher = as_user(world.teacher)
    assert teacher.get("/d/nope").status_code == 404
    assert teacher.get(f"/d/{devices[0].id}").status_code == 404  # ids are not tokens


def test_support_side_scans_open_the_device_page(world, as_user, devices):
    response = as_user(world.manager).get(f"/d/{devices[0].token}")
    assert response.location == f"/devices/{devices[0].id}"
