"""Importing a school's inventory list: dry run first, then all good rows or none."""

import re

import pytest
from sqlalchemy import func, select

from campus.extensions import db
from campus.models import Device, Room

GOOD = (
    "Inventarnummer;Typ;Modell;Seriennummer;Raum;Status;Bemerkung\n"
    "HHG-TAB-0001;iPad;iPad 10;F1;A 101;in Betrieb;\n"
    "HHG-TAB-0002;Tablet;iPad 10;F2;A 101;;Hülle fehlt\n"
    "HHG-BEA-0001;Beamer;Epson EB-695Wi;X1;Aula;in Reparatur;\n"
)
BAD = (
    "Inventarnummer,Typ,Raum\n"
    "HHG-NB-0001,Notebook,A 101\n"
    "HHG-NB-0001,Notebook,A 101\n"  # duplicate inventory number
    "HHG-XX-0001,Toaster,A 101\n"  # bad type
    "HHG-NB-0002,Notebook,Keller 99\n"  # unknown room
)


def upload(browser, school_id, text, encoding="utf-8", **extra):
    from io import BytesIO

    data = {"file": (BytesIO(text.encode(encoding)), "inventar.csv"), **extra}
    return browser.post(
        f"/devices/import?school={school_id}", data=data, content_type="multipart/form-data"
    )


def count_devices() -> int:
    return db.session.scalar(select(func.count(Device.id)))


def checked_file(html: str) -> str:
    return re.search(r'name="checked_file" type="hidden" value="([^"]*)"', html).group(1)


def test_dry_run_shows_everything_and_saves_nothing_then_the_real_run_saves(world, as_user):
    manager, school = as_user(world.manager), world.teacher.school
    preview = upload(manager, school.id, GOOD, create_rooms="y")
    assert preview.status_code == 200
    assert "3 neu, 0 aktualisiert, 0 abgelehnt" in preview.text
    assert count_devices() == 0  # nothing saved by the dry run
    done = manager.post(
        f"/devices/import?school={school.id}",
        data={"checked_file": checked_file(preview.text), "create_rooms": "y"},
    )
    assert done.status_code == 302
    devices = {d.inventory_number: d for d in db.session.scalars(select(Device))}
    assert (
        devices["HHG-TAB-0002"].type == "tablet" and devices["HHG-TAB-0002"].notes == "Hülle fehlt"
    )
    assert devices["HHG-BEA-0001"].status == "in_repair"
    assert {r.name for r in db.session.scalars(select(Room))} == {"A 101", "Aula"}


def test_importing_again_updates_instead_of_duplicating(world, as_user):
    manager, school = as_user(world.manager), world.teacher.school
    first = upload(manager, school.id, GOOD, create_rooms="y")
    manager.post(
        f"/devices/import?school={school.id}",
        data={"checked_file": checked_file(first.text), "create_rooms": "y"},
    )
    changed = GOOD.replace(
        "Epson EB-695Wi;X1;Aula;in Reparatur", "Epson EB-695Wi;X1;Aula;ausgemustert"
    )
    again = upload(manager, school.id, changed)
    assert "0 neu, 3 aktualisiert, 0 abgelehnt" in again.text
    manager.post(
        f"/devices/import?school={school.id}", data={"checked_file": checked_file(again.text)}
    )
    assert count_devices() == 3
    assert (
        db.session.scalar(select(Device.status).where(Device.inventory_number == "HHG-BEA-0001"))
        == "retired"
    )


def test_bad_rows_are_refused_row_by_row_and_nothing_is_half_imported(world, as_user):
    manager, school = as_user(world.manager), world.teacher.school
    db.session.add(Room(school=school, name="A 101"))
    db.session.commit()
    preview = upload(manager, school.id, BAD)
    assert "1 neu, 0 aktualisiert, 3 abgelehnt" in preview.text
    assert "bereits in Zeile 2" in preview.text
    assert "unbekannte Geräteart „Toaster“" in preview.text
    assert "unbekannter Raum „Keller 99“" in preview.text
    # Without choosing to skip, the real run imports nothing at all.
    strict = manager.post(
        f"/devices/import?school={school.id}", data={"checked_file": checked_file(preview.text)}
    )
    assert strict.status_code == 422
    assert count_devices() == 0
    skipped = manager.post(
        f"/devices/import?school={school.id}",
        data={"checked_file": checked_file(preview.text), "skip_refused": "1"},
    )
    assert skipped.status_code == 302
    assert [d.inventory_number for d in db.session.scalars(select(Device))] == ["HHG-NB-0001"]


def test_windows_1252_umlauts_arrive_intact(world, as_user):
    manager, school = as_user(world.manager), world.teacher.school
    text = "Inventar-Nr.;Gerätetyp;Raum;Bemerkung\nHHG-PC-0001;PC;Büro;Lüfter laut, Größe ß\n"
    preview = upload(manager, school.id, text, encoding="cp1252", create_rooms="y")
    assert "1 neu" in preview.text
    manager.post(
        f"/devices/import?school={school.id}",
        data={"checked_file": checked_file(preview.text), "create_rooms": "y"},
    )
    device = db.session.scalar(select(Device))
    assert (device.room, device.notes, device.type) == ("Büro", "Lüfter laut, Größe ß", "desktop")


def test_a_file_without_the_needed_columns_is_explained(world, as_user):
    response = upload(as_user(world.manager), world.teacher.school_id, "Name;Farbe\nA;rot\n")
    assert response.status_code == 422
    assert "Inventarnummer" in response.text and "Typ" in response.text


def test_only_the_schools_editors_import(world, as_user):
    assert upload(as_user(world.teacher), world.teacher.school_id, GOOD).status_code == 403
    assert upload(as_user(world.far_manager), world.teacher.school_id, GOOD).status_code == 403


def test_command_line_import_with_dry_run_and_progress(app, world, tmp_path):
    school = world.teacher.school
    path = tmp_path / "inventar.csv"
    path.write_bytes(GOOD.encode("cp1252"))
    runner = app.test_cli_runner()
    dry = runner.invoke(
        args=[
            "campus",
            "import-devices",
            str(path),
            "--school",
            school.school_number,
            "--dry-run",
            "--create-rooms",
        ]
    )
    assert dry.exit_code == 0, dry.output
    assert "3 new, 0 updated, 0 refused" in dry.output and count_devices() == 0
    real = runner.invoke(
        args=[
            "campus",
            "import-devices",
            str(path),
            "--school",
            school.school_number,
            "--create-rooms",
        ]
    )
    assert real.exit_code == 0, real.output
    assert count_devices() == 3
    unknown = runner.invoke(args=["campus", "import-devices", str(path), "--school", "999999"])
    assert unknown.exit_code == 2 and "no school" in unknown.output


def test_a_damaged_checked_file_asks_for_the_upload_again(world, as_user):
    manager, school = as_user(world.manager), world.teacher.school
    for damaged in ("not base64!", "Grüße"):
        response = manager.post(
            f"/devices/import?school={school.id}", data={"checked_file": damaged}
        )
        assert response.status_code == 422
        assert "beschädigt" in response.text or "damaged" in response.text
    assert count_devices() == 0


def test_a_refused_real_run_saves_nothing_and_shows_why(world, as_user):
    manager, school = as_user(world.manager), world.teacher.school
    preview = upload(manager, school.id, BAD)
    refused = manager.post(
        f"/devices/import?school={school.id}", data={"checked_file": checked_file(preview.text)}
    )
    assert refused.status_code == 422
    assert 'name="file"' in refused.text  # back to choosing a file
    assert count_devices() == 0


def test_a_cell_beyond_the_csv_limit_is_refused_not_a_crash():
    from campus.devices.importer import read_rows
    from campus.exceptions import InvalidInput

    text = "Inventarnummer;Typ;Bemerkung\nA-1;Tablet;" + '"' + "x" * 200_000 + '"\n'
    with pytest.raises(InvalidInput) as refused:
        read_rows(text)
    assert refused.value.field == "file"
