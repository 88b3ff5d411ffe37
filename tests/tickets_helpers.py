"""Building blocks for the ticket tests: a small world and tickets in any state."""

import struct
import zlib
from dataclasses import dataclass

from campus.extensions import db
from campus.models import Category, Impact, Role, Ticket, User
from campus.tickets import services
from campus.tickets.filing import report_ticket

ANALYSIS = {
    "symptoms": "Beamer zeigt kein Bild, Lampe leuchtet.",
    "steps_tried": "HDMI-Kabel und Quelle getauscht, Neustart.",
    "device_data": "Epson EB-695Wi, SN X123",
    "reproduce": "Bei jedem Einschalten.",
}


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg_with_gps(width: int = 32, height: int = 24) -> bytes:
    """A real JPEG carrying EXIF data with a GPS position, as phones write them."""
    import io

    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 50.0), 3: "E", 4: (7.0, 27.0, 55.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@dataclass
class World:
    """Two campuses with a school, teacher and manager each; the system house; an admin."""

    teacher: User
    manager: User
    colleague: User  # a second manager of the same campus
    other_teacher: User  # same school as `teacher`
    far_teacher: User  # another campus
    far_manager: User
    system_house: User
    system_house2: User
    admin: User

    def ticket(self, state: str = "new", first=(), **kwargs) -> Ticket:
        """A ticket of `teacher` driven through the real services into `state` (`first`:
        steps taken on the new ticket before those, such as a hand-over to interns)."""
        ticket = report_ticket(
            self.teacher,
            title=kwargs.get("title", "Beamer zeigt kein Bild"),
            description=kwargs.get("description", "Seit heute Morgen kein Signal."),
            category=kwargs.get("category", Category.PROJECTOR_DISPLAY),
            impact=kwargs.get("impact", Impact.BLOCKING),
            room=kwargs.get("room", "A 101"),
            device_id=kwargs.get("device_id"),
        )
        m, sh = self.manager, self.system_house
        steps = {
            "new": [],
            "in_progress": [lambda t: services.claim(m, t)],
            "waiting": [
                lambda t: services.claim(m, t),
                lambda t: services.wait(m, t, "Seit wann?"),
            ],
            "escalated": [
                lambda t: services.claim(m, t),
                lambda t: services.escalate(m, t, ANALYSIS),
            ],
            "in_progress_l2": [
                lambda t: services.escalate(m, t, ANALYSIS),
                lambda t: services.claim(sh, t),
            ],
            "waiting_l2": [
                lambda t: services.escalate(m, t, ANALYSIS),
                lambda t: services.claim(sh, t),
                lambda t: services.wait(sh, t, "Welche Firmware?"),
            ],
            "returned": [
                lambda t: services.escalate(m, t, ANALYSIS),
                lambda t: services.return_to_level1(sh, t, "Bitte Lampe prüfen."),
            ],
            "resolved": [lambda t: services.resolve(m, t, "Kabel getauscht.")],
            "resolved_l2": [
                lambda t: services.escalate(m, t, ANALYSIS),
                lambda t: services.claim(sh, t),
                lambda t: services.resolve(sh, t, "Mainboard getauscht.", l1_capable=False),
            ],
            "closed": [
                lambda t: services.resolve(m, t, "Kabel getauscht."),
                lambda t: services.confirm(self.teacher, t),
            ],
            "cancelled": [lambda t: services.cancel(self.teacher, t, "Doch nicht kaputt.")],
        }[state]
        for step in [*first, *steps]:
            step(ticket)
        db.session.commit()
        return ticket


def build_world(make_user, make_school, make_campus) -> World:
    campus = make_campus("Campus Nord")
    school = make_school(campus, name="Helmholtz-Gymnasium", short_name="HHG")
    far_campus = make_campus("Campus Süd")
    far_school = make_school(far_campus, name="Phoenix-Gymnasium", short_name="PXG")
    return World(
        teacher=make_user(Role.TEACHER, school=school, email="lehrerin@example.org"),
        manager=make_user(Role.CAMPUS_MANAGER, campuses=[campus], email="manager@example.org"),
        colleague=make_user(Role.CAMPUS_MANAGER, campuses=[campus], email="kollege@example.org"),
        other_teacher=make_user(Role.TEACHER, school=school, email="kollegin@example.org"),
        far_teacher=make_user(Role.TEACHER, school=far_school, email="sued@example.org"),
        far_manager=make_user(
            Role.CAMPUS_MANAGER, campuses=[far_campus], email="m-sued@example.org"
        ),
        system_house=make_user(Role.SYSTEM_HOUSE, email="sh@example.org"),
        system_house2=make_user(Role.SYSTEM_HOUSE, email="sh2@example.org"),
        admin=make_user(Role.ADMIN, email="admin@example.org"),
    )
