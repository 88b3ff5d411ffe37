"""Inventory rules: a school's devices, their rooms, and the history that triage reads."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from campus.events import DeviceChanged
from campus.exceptions import ErrorCollector, NotAllowed
from campus.extensions import db
from campus.models import Device, DeviceStatus, DeviceType, Room, School, Ticket, User, utcnow
from campus.permissions import can_edit_devices
from campus.unit_of_work import record

REPLACE_AFTER = 3  # tickets ...
REPLACE_WITHIN_DAYS = 90  # ... within this many days: "consider replacing"


def save_device(
    actor: User,
    school: School,
    *,
    type: str,
    inventory_number: str,
    model: str = "",
    serial_number: str = "",
    room: str = "",
    status: str = DeviceStatus.IN_USE,
    notes: str = "",
    device: Device | None = None,
) -> Device:
    """Create or edit a device; inventory numbers are unique per school."""
    if not can_edit_devices(actor, school):
        raise NotAllowed(
            _l(
                "Only the campus managers of this school and administrators may "
                "change its inventory."
            )
        )
    problems = ErrorCollector()
    inventory_number = (inventory_number or "").strip()
    room = (room or "").strip()
    if not inventory_number:
        problems.add("inventory_number", _l("Please enter the inventory number."))
    elif len(inventory_number) > 60:
        problems.add("inventory_number", _l("The inventory number is too long."))
    else:
        clash = db.session.scalar(
            select(Device).where(
                Device.school_id == school.id, Device.inventory_number == inventory_number
            )
        )
        if clash is not None and clash is not device:
            problems.add(
                "inventory_number",
                _l("This school already has a device with this inventory number."),
            )
    if type not in set(DeviceType):
        problems.add("type", _l("Please choose the kind of device."))
    if status not in set(DeviceStatus):
        problems.add("status", _l("Please choose a status."))
    if len(room) > 60:
        problems.add("room", _l("Please keep the room under 60 characters."))
    problems.raise_if_any()

    old_type = None
    if device is None:
        device = Device(school=school)
        db.session.add(device)
    else:
        old_type = device.type
    device.type = type
    device.inventory_number = inventory_number
    device.model = (model or "").strip()[:120]
    device.serial_number = (serial_number or "").strip()[:100]
    device.room = room
    device.status = status
    device.notes = (notes or "").strip()
    if room:
        ensure_room(school, room)
    db.session.flush()
    record(DeviceChanged(at=utcnow(), device=device, old_type=old_type))
    return device


def ensure_room(school: School, name: str) -> Room:
    """The school's room of that name, created on first mention."""
    room = db.session.scalar(select(Room).where(Room.school_id == school.id, Room.name == name))
    if room is None:
        room = Room(school=school, name=name)
        db.session.add(room)
        db.session.flush()
    return room


def needs_replacement(device: Device, now: datetime | None = None) -> int:
    """How many tickets the device had in the last 90 days, if that many that it should
    be considered for replacement (else 0)."""
    since = (now or utcnow()) - timedelta(days=REPLACE_WITHIN_DAYS)
    recent = (
        db.session.scalar(
            select(func.count(Ticket.id)).where(
                Ticket.device_id == device.id, Ticket.created_at >= since
            )
        )
        or 0
    )
    return recent if recent >= REPLACE_AFTER else 0
