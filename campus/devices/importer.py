"""Importing a school's inventory list: the CSV files schools already keep.

Columns are found by their header (German or English names), separated by ';' or ',',
encoded in UTF-8 or Windows-1252 (what Excel writes in Germany). A dry run says row by
row what would be created, updated or refused; the real run saves all rows in one
transaction, or none.
"""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus.devices.services import save_device
from campus.exceptions import InvalidInput, NotAllowed
from campus.extensions import db
from campus.models import Device, DeviceStatus, DeviceType, Room, School, User
from campus.permissions import can_edit_devices

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

HEADERS = {
    "inventory_number": (
        "inventarnummer",
        "inventar-nr",
        "inventar-nr.",
        "inv.-nr.",
        "inv-nr",
        "inventar",
        "inventory number",
        "inventory_number",
        "asset tag",
    ),
    "type": ("typ", "gerätetyp", "geräteart", "art", "type", "kind", "device type"),
    "model": ("modell", "model", "bezeichnung", "gerät"),
    "serial_number": (
        "seriennummer",
        "serien-nr",
        "serien-nr.",
        "serial",
        "serial number",
        "serial_number",
        "s/n",
        "sn",
    ),
    "room": ("raum", "room", "standort", "location"),
    "status": ("status", "zustand"),
    "notes": ("notiz", "notizen", "bemerkung", "bemerkungen", "notes", "kommentar"),
}
TYPES = {
    DeviceType.TABLET: ("tablet", "ipad", "tab"),
    DeviceType.NOTEBOOK: ("notebook", "laptop", "convertible", "chromebook"),
    DeviceType.DESKTOP: ("desktop", "pc", "desktop-pc", "rechner", "computer"),
    DeviceType.DISPLAY_PROJECTOR: (
        "display_projector",
        "beamer",
        "projektor",
        "display",
        "panel",
        "tafel",
        "interaktive tafel",
        "whiteboard",
        "bildschirm",
        "monitor",
    ),
    DeviceType.PRINTER: ("printer", "drucker", "kopierer", "multifunktionsgerät"),
    DeviceType.NETWORK: (
        "network",
        "netzwerk",
        "switch",
        "access point",
        "accesspoint",
        "ap",
        "wlan",
        "router",
    ),
    DeviceType.OTHER: ("other", "sonstiges", "andere", "dokumentenkamera", "apple tv"),
}
STATUSES = {
    DeviceStatus.IN_USE: ("", "in_use", "in use", "in betrieb", "aktiv", "im einsatz"),
    DeviceStatus.IN_REPAIR: ("in_repair", "in repair", "in reparatur", "reparatur", "defekt"),
    DeviceStatus.RETIRED: ("retired", "ausgemustert", "ausgesondert", "entsorgt"),
}


@dataclass
class RowPlan:
    """What the import does with one line of the file."""

    line: int
    inventory_number: str
    action: str  # "create", "update" or "refuse"
    values: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    new_rooms: list[str]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def refused(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action == "refuse"]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(_l("The file is larger than 5 MB."), "file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(text: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The column of each known field, and the data rows with their line numbers."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InvalidInput(_l("The file is empty."), "file")
    header_line = lines[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _columns_and_rows(reader)
    except csv.Error as error:  # a broken quote, a cell beyond the csv module's limit
        raise InvalidInput(
            _l("The file cannot be read as a CSV list (%(reason)s).", reason=str(error)), "file"
        ) from error


def _columns_and_rows(reader) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    header = [cell.strip().lower() for cell in next(reader)]
    columns = {}
    for name, synonyms in HEADERS.items():
        for index, cell in enumerate(header):
            if cell in synonyms:
                columns[name] = index
                break
    missing = [name for name in ("inventory_number", "type") if name not in columns]
    if missing:
        raise InvalidInput(
            _l(
                "The file needs the columns “Inventarnummer” and “Typ” (found: %(found)s).",
                found=", ".join(h for h in header if h) or "–",
            ),
            "file",
        )
    rows = [
        (number, row) for number, row in enumerate(reader, start=2) if any(c.strip() for c in row)
    ]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(_l("At most %(n)d rows per import.", n=MAX_ROWS), "file")
    return columns, rows


def _lookup(table: dict, value: str) -> str | None:
    value = value.strip().lower()
    for code, words in table.items():
        if value in words:
            return code
    return None


def plan_import(actor: User, school: School, data: bytes, create_rooms: bool = False) -> ImportPlan:
    """The dry run: every row with what would happen to it. Saves nothing."""
    if not can_edit_devices(actor, school):
        raise NotAllowed(
            _l(
                "Only the campus managers of this school and administrators may "
                "change its inventory."
            )
        )
    columns, rows = read_rows(decode(data))
    existing = {
        d.inventory_number: d
        for d in db.session.scalars(select(Device).where(Device.school_id == school.id))
    }
    known_rooms = set(db.session.scalars(select(Room.name).where(Room.school_id == school.id)))
    new_rooms: list[str] = []
    seen: dict[str, int] = {}
    plans = []
    for line, row in rows:

        def cell(name, row=row):
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        number = cell("inventory_number")
        plan = RowPlan(line, number, "create")
        raw_type, raw_status, room = cell("type"), cell("status"), cell("room")
        kind = _lookup(TYPES, raw_type)
        status = _lookup(STATUSES, raw_status)
        if not number:
            plan.problems.append(str(_l("no inventory number")))
        elif number in seen:
            plan.problems.append(
                str(
                    _l(
                        "inventory number %(number)s already in line %(line)d",
                        number=number,
                        line=seen[number],
                    )
                )
            )
        elif len(number) > 60:
            plan.problems.append(str(_l("inventory number too long")))
        if kind is None:
            plan.problems.append(str(_l("unknown type “%(value)s”", value=raw_type)))
        if status is None:
            plan.problems.append(str(_l("unknown status “%(value)s”", value=raw_status)))
        if room and room not in known_rooms and room not in new_rooms:
            if create_rooms and len(room) <= 60:
                new_rooms.append(room)
            else:
                plan.problems.append(str(_l("unknown room “%(room)s”", room=room)))
        if number and number not in seen:
            seen[number] = line
        plan.values = {
            "type": kind,
            "inventory_number": number,
            "model": cell("model"),
            "serial_number": cell("serial_number"),
            "room": room,
            "status": status,
            "notes": cell("notes"),
        }
        if plan.problems:
            plan.action = "refuse"
        elif number in existing:
            plan.action = "update"
        plans.append(plan)
    return ImportPlan(plans, new_rooms)


def run_import(
    actor: User,
    school: School,
    data: bytes,
    create_rooms: bool = False,
    skip_refused: bool = False,
    progress=None,
) -> ImportPlan:
    """Save the planned rows: all of them, or none if any is refused (unless told to skip)."""
    plan = plan_import(actor, school, data, create_rooms)
    if plan.refused and not skip_refused:
        raise InvalidInput(
            _l(
                "%(n)d rows are refused; nothing was imported. Correct the file, or choose to "
                "skip the refused rows.",
                n=len(plan.refused),
            ),
            "file",
        )
    existing = {
        d.inventory_number: d
        for d in db.session.scalars(select(Device).where(Device.school_id == school.id))
    }
    for row in plan.rows:
        if row.action != "refuse":
            save_device(actor, school, device=existing.get(row.inventory_number), **row.values)
        if progress is not None:
            progress(1)
    db.session.flush()
    return plan
