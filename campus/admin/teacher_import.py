"""Importing the teachers of one school from a CSV list, each invited by mail.

Columns are found by their header (German or English names): the e-mail address, and the
name (one column) or the first and last name; separated by ';' or ','; UTF-8 or
Windows-1252 (what Excel writes in Germany). A dry run says line by line who would be
invited, who already has an account (skipped: an existing account is never changed, and
the list says no more about it than that it exists) and which lines are refused, and why.
The real run creates the teachers and writes their invitations in one unit of work: all
good lines or none, or the good ones with the refused ones skipped.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus.admin.services import looks_like_email, save_user
from campus.devices.importer import decode
from campus.exceptions import InvalidInput, NotAllowed
from campus.extensions import db
from campus.models import Role, School, User, normalize_email
from campus.permissions import can_administer

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
NAME_LENGTH = 120  # users.display_name

HEADERS = {
    "email": (
        "e-mail",
        "email",
        "mail",
        "e-mail-adresse",
        "emailadresse",
        "email-adresse",
        "e-mail adresse",
        "e-mail address",
        "email address",
    ),
    "display_name": ("anzeigename", "display name", "display_name"),
    "first_name": ("vorname", "first name", "first_name", "firstname"),
    "last_name": ("nachname", "last name", "last_name", "lastname", "familienname", "surname"),
    "name": ("name",),
}

CREATE, EXISTS, REFUSE = "create", "exists", "refuse"


@dataclass
class RowPlan:
    """What the import does with one line of the file."""

    line: int
    email: str
    name: str
    action: str  # CREATE, EXISTS or REFUSE
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    school: School
    rows: list[RowPlan]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def refused(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action == REFUSE]


def _school(actor: User, school_id: int | None) -> School:
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators may import teachers."))
    school = db.session.get(School, school_id) if school_id else None
    if school is None:
        raise InvalidInput(_l("Please choose the school the teachers belong to."), "school_id")
    return school


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for name, synonyms in HEADERS.items():
        for index, cell in enumerate(header):
            if cell in synonyms:
                found[name] = index
                break
    columns = {}
    if "email" in found:
        columns["email"] = found["email"]
    last = found.get("last_name", found.get("name"))
    if "display_name" in found:
        columns["name"] = found["display_name"]
    elif "first_name" in found and last is not None:
        columns["first_name"], columns["last_name"] = found["first_name"], last
    elif "name" in found:
        columns["name"] = found["name"]
    return columns


def read_rows(text: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The column of each field (email, and name or first_name + last_name) and the data
    rows with their line numbers; InvalidInput on the "file" field for a file that cannot
    be imported at all."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InvalidInput(_l("The file is empty."), "file")
    header_line = lines[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        header = [cell.strip().lower() for cell in next(reader)]
        columns = _columns(header)
        if "email" not in columns or not ("name" in columns or "first_name" in columns):
            raise InvalidInput(
                _l(
                    "The file needs a column “E-Mail” and a column “Name” (or “Vorname” and "
                    "“Nachname”) in its first line (found: %(found)s).",
                    found=", ".join(h for h in header if h)[:300] or "–",
                ),
                "file",
            )
        rows = []
        for number, row in enumerate(reader, start=2):
            if any(c.strip() for c in row):
                rows.append((number, row))
                if len(rows) > MAX_ROWS:
                    raise InvalidInput(_l("At most %(n)d teachers per import.", n=MAX_ROWS), "file")
    except csv.Error as error:
        raise InvalidInput(
            _l("The file cannot be read as a CSV list (%(reason)s).", reason=str(error)), "file"
        ) from error
    if not rows:
        raise InvalidInput(_l("The file lists no teachers below its first line."), "file")
    return columns, rows


def _has_controls(value: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in value)


def _existing(emails: set[str]) -> set[str]:
    """Which of these addresses already have an account (of any role, at any school)."""
    found: set[str] = set()
    chosen = sorted(emails)
    for start in range(0, len(chosen), 500):
        batch = chosen[start : start + 500]
        found.update(db.session.scalars(select(User.email).where(User.email.in_(batch))))
    return found


def plan_import(actor: User, school_id: int | None, data: bytes) -> ImportPlan:
    """The dry run: every line with what would happen to it. Saves nothing."""
    school = _school(actor, school_id)
    if len(data) > MAX_BYTES:
        raise InvalidInput(_l("The file is larger than 5 MB."), "file")
    columns, rows = read_rows(decode(data))

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return " ".join(row[index].split()) if index is not None and index < len(row) else ""

    plans: list[RowPlan] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        email = normalize_email(cell(row, "email"))
        if "name" in columns:
            name = cell(row, "name")
        else:
            name = f"{cell(row, 'first_name')} {cell(row, 'last_name')}".strip()
        plan = RowPlan(line, email, name, CREATE)
        if not email:
            plan.problems.append(str(_l("no e-mail address")))
        elif not looks_like_email(email) or _has_controls(email):
            plan.problems.append(str(_l("not a valid e-mail address")))
        elif email in seen:
            plan.problems.append(
                str(_l("e-mail address already in line %(line)d", line=seen[email]))
            )
        else:
            seen[email] = line
        plans.append(plan)
    existing = _existing(set(seen))
    for plan in plans:
        if not plan.problems and plan.email in existing:
            plan.action = EXISTS  # skipped as it is; nothing about it is read or shown
            continue
        if not plan.name:
            plan.problems.append(str(_l("no name")))
        elif len(plan.name) > NAME_LENGTH:
            plan.problems.append(str(_l("name longer than %(n)d characters", n=NAME_LENGTH)))
        elif _has_controls(plan.name):
            plan.problems.append(str(_l("the name contains control characters")))
        if plan.problems:
            plan.action = REFUSE
    return ImportPlan(school, plans)


def run_import(
    actor: User, school_id: int | None, data: bytes, skip_refused: bool = False
) -> ImportPlan:
    """Create the planned teachers of the school, each invited by mail (in the current
    unit of work): all of them, or none if a line is refused (unless told to skip those).
    The file is planned again here: an account made since the dry run is skipped."""
    plan = plan_import(actor, school_id, data)
    if plan.refused and not skip_refused:
        raise InvalidInput(
            _l(
                "%(n)d lines are refused; nobody was imported. Correct the file, or choose to "
                "skip the refused lines.",
                n=len(plan.refused),
            ),
            "file",
        )
    for row in plan.rows:
        if row.action == CREATE:
            save_user(
                actor,
                email=row.email,
                display_name=row.name,
                role=Role.TEACHER,
                school_id=plan.school.id,
                invite=True,
            )
    db.session.flush()
    return plan
