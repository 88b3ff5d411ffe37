"""Photos: checked by content, stored outside static/ under random names, served by the rules."""

import io
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from campus.extensions import db
from campus.models import Ticket, TicketPhoto
from tests.tickets_helpers import jpeg_with_gps, png_bytes

STATIC = Path(__file__).resolve().parents[2] / "campus" / "static"


def report(browser, *files):
    fields = MultiDict(
        {
            "category": "tablet_notebook",
            "impact": "impaired",
            "title": "iPad Display",
            "description": "Display gesprungen.",
        }
    )
    for name, content in files:
        fields.add("photos", FileStorage(io.BytesIO(content), filename=name))
    # Encoded in memory: the test client would spool a large body to an unclosed temp file.
    boundary, body = encode_multipart(fields)
    return browser.post(
        "/tickets/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def ticket_count() -> int:
    return db.session.scalar(db.select(db.func.count(Ticket.id)))


def test_photos_are_stored_outside_static_under_random_names(app, world, as_user):
    browser = as_user(world.teacher)
    response = report(browser, ("riss.png", png_bytes()), ("Foto vom Handy.jpg", jpeg_with_gps()))
    assert response.status_code == 302
    ticket = db.session.scalar(db.select(Ticket))
    assert [p.content_type for p in ticket.photos] == ["image/png", "image/jpeg"]
    folder = Path(app.config["UPLOAD_FOLDER"])
    for photo in ticket.photos:
        path = folder / photo.stored_name
        assert path.is_file()
        assert STATIC not in path.parents
        assert "riss" not in photo.stored_name and "Handy" not in photo.stored_name
        assert len(photo.stored_name.split(".")[0]) == 32
    page = browser.get(f"/tickets/{ticket.id}")
    assert f"/tickets/{ticket.id}/photos/{ticket.photos[0].id}" in page.text


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"just some text"),
        ("bild.jpg", b"this is not really a jpeg"),  # named like an image
        ("virus.png", b"MZ\x90\x00\x03" + b"\x00" * 200),  # an .exe renamed to .png
        ("doc.webp", b"%PDF-1.7 not an image"),
        ("half.png", png_bytes()[:40]),  # an image's first bytes, then nothing
        ("fake.jpg", b"\xff\xd8\xff\xe0" + b"<script>alert(1)</script>" * 20),
    ],
)
def test_non_images_are_refused_whatever_their_name(world, as_user, name, content):
    response = report(as_user(world.teacher), (name, content))
    assert response.status_code == 422
    assert 'id="photos-error"' in response.text
    assert ticket_count() == 0


def test_oversized_photo_is_refused(world, as_user):
    big = png_bytes() + b"\x00" * (10 * 1024 * 1024)
    response = report(as_user(world.teacher), ("gross.png", big))
    assert response.status_code == 422
    assert "10 MB" in response.text
    assert ticket_count() == 0


def test_more_than_three_photos_are_refused(world, as_user):
    files = [(f"p{n}.png", png_bytes()) for n in range(4)]
    response = report(as_user(world.teacher), *files)
    assert response.status_code == 422
    assert ticket_count() == 0


def test_photo_download_follows_the_ticket_rules(world, as_user):
    report(as_user(world.teacher), ("riss.png", png_bytes()))
    ticket = db.session.scalar(db.select(Ticket))
    url = f"/tickets/{ticket.id}/photos/{ticket.photos[0].id}"

    with as_user(world.teacher).get(url) as own:
        assert own.status_code == 200
        assert own.mimetype == "image/png"
        with Image.open(io.BytesIO(own.data)) as served:
            assert (served.format, served.size) == ("PNG", (2, 2))
        assert own.headers["X-Content-Type-Options"] == "nosniff"
    with as_user(world.manager).get(url) as managers:
        assert managers.status_code == 200
    for stranger in (world.other_teacher, world.far_manager, world.system_house):
        assert as_user(stranger).get(url).status_code == 404


def test_photo_of_another_ticket_is_not_served_through_a_visible_one(world, as_user):
    browser = as_user(world.teacher)
    report(browser, ("a.png", png_bytes()))
    visible = world.ticket("new")
    photo = db.session.scalar(db.select(TicketPhoto))
    assert browser.get(f"/tickets/{visible.id}/photos/{photo.id}").status_code == 404


def test_photo_metadata_such_as_the_gps_position_is_removed(app, world, as_user):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(0x8825)  # the upload does carry a GPS position
    report(as_user(world.teacher), ("handy.jpg", original))
    photo = db.session.scalar(db.select(TicketPhoto))
    stored = Path(app.config["UPLOAD_FOLDER"]) / photo.stored_name
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (32, 24)
        assert not image.getexif()


def _claimed_size_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (a decompression bomb's shape)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def _small_jpeg_of_many_pixels(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, format="JPEG", quality=1)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bombe.png", _claimed_size_png(30_000, 30_000)),  # 900 megapixels claimed
        ("lang.png", _claimed_size_png(60_000, 10)),  # a side no photo has
        ("gross.jpg", _small_jpeg_of_many_pixels(9_000, 6_000)),  # 54 MP in a small file
    ],
)
def test_a_small_file_of_a_huge_image_is_refused_before_decoding(world, as_user, name, content):
    import tracemalloc

    assert len(content) < 1024 * 1024  # small on the wire
    browser = as_user(world.teacher)
    tracemalloc.start()
    response = report(browser, (name, content))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 422
    assert "megapixels" in response.text or "Megapixel" in response.text
    assert ticket_count() == 0
    assert peak < 20 * 1024 * 1024  # never decoded: a decoded one would need 100s of MB
