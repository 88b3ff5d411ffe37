"""The internship plan: days and parts of days, each with a task, the intern's short report
and the supervisor's comment; built from templates (one entry, or a whole standard week).

The supervisor plans and comments; the intern writes her reports during the internship.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus.exceptions import ErrorCollector, InvalidInput, NotAllowed
from campus.extensions import db
from campus.models import DayPart, EntryKind, Internship, PlanEntry, School, User
from campus.permissions import can_edit_internship, writes_reports

TEXT_MAX = 4000


@dataclass(frozen=True)
class Template:
    kind: EntryKind
    title: str  # msgid; "%(school)s" is the entry's school
    task: str  # msgid


def templates() -> dict[EntryKind, Template]:
    """What each kind of entry means by default (titles and tasks in the reader's language
    when the entry is made; the supervisor edits them freely)."""
    return {
        EntryKind.ON_SITE: Template(
            EntryKind.ON_SITE,
            _l("On site with the campus manager at %(school)s"),
            _l("Go along on the visit: look, ask, help with the tickets at the school."),
        ),
        EntryKind.TICKETS: Template(
            EntryKind.TICKETS,
            _l("Tickets under supervision"),
            _l("Take on a handed-over ticket, answer the teacher, propose a solution."),
        ),
        EntryKind.LABELLING: Template(
            EntryKind.LABELLING,
            _l("Labelling devices at %(school)s"),
            _l("Print the QR labels, stick them on, check the inventory list."),
        ),
        EntryKind.TABLETS: Template(
            EntryKind.TABLETS,
            _l("Setting up tablets"),
            _l("Set up new tablets for a class, step by step after the checklist."),
        ),
        EntryKind.INTERVIEW: Template(
            EntryKind.INTERVIEW,
            _l("Interview with a system-house administrator"),
            _l("Prepare five questions about the job and the way into it; write down the answers."),
        ),
        EntryKind.REFLECTION: Template(
            EntryKind.REFLECTION,
            _l("Looking back"),
            _l("What did you learn this week? What would you like to try next?"),
        ),
        EntryKind.OTHER: Template(EntryKind.OTHER, _l("Other task"), ""),
    }


# The standard week: (weekday 0 = Monday, part, kind).
STANDARD_WEEK = (
    (0, DayPart.MORNING, EntryKind.ON_SITE),
    (0, DayPart.AFTERNOON, EntryKind.TICKETS),
    (1, DayPart.MORNING, EntryKind.LABELLING),
    (1, DayPart.AFTERNOON, EntryKind.TICKETS),
    (2, DayPart.MORNING, EntryKind.TABLETS),
    (2, DayPart.AFTERNOON, EntryKind.ON_SITE),
    (3, DayPart.MORNING, EntryKind.INTERVIEW),
    (3, DayPart.AFTERNOON, EntryKind.TICKETS),
    (4, DayPart.MORNING, EntryKind.ON_SITE),
    (4, DayPart.AFTERNOON, EntryKind.REFLECTION),
)


def supervisor_schools(internship: Internship) -> list[School]:
    """The schools of the supervisor's campuses: where the intern works."""
    ids = internship.supervisor.campus_ids
    if not ids:
        return []
    return list(
        db.session.scalars(select(School).where(School.campus_id.in_(ids)).order_by(School.name))
    )


def _editor(actor: User, internship: Internship) -> None:
    if not can_edit_internship(actor, internship):
        raise NotAllowed(_l("Only the supervisor plans the internship."))


def _slot_taken(internship: Internship, day: date, part: DayPart) -> bool:
    return any(e.day == day and e.part == part for e in internship.entries)


def add_entry(
    actor: User,
    internship: Internship,
    *,
    day: date | None,
    part: str,
    kind: str,
    school_id: int | None = None,
    title: str = "",
    task: str | None = None,
) -> PlanEntry:
    """One entry from its template (title and task as given, or the template's)."""
    _editor(actor, internship)
    problems = ErrorCollector()
    schools = {s.id: s for s in supervisor_schools(internship)}
    if not isinstance(day, date):
        problems.add("day", _l("Please enter the day."))
    elif not internship.starts_on <= day <= internship.ends_on:
        problems.add("day", _l("The day is not within the internship."))
    if part not in set(DayPart):
        problems.add("part", _l("Please choose a part of the day."))
    if kind not in set(EntryKind):
        problems.add("kind", _l("Please choose a template."))
    if school_id and school_id not in schools:
        problems.add("school_id", _l("Please choose a school of the supervisor's campuses."))
    if isinstance(day, date) and part in set(DayPart) and _slot_taken(internship, day, part):
        problems.add("part", _l("This part of the day is already planned."))
    problems.raise_if_any()
    school = schools.get(school_id) if school_id else next(iter(schools.values()), None)
    template = templates()[EntryKind(kind)]
    name = school.short_name if school is not None else _("school")
    entry = PlanEntry(
        internship=internship,
        day=day,
        part=DayPart(part),
        kind=EntryKind(kind),
        school=school,
        title=(title or "").strip()[:200] or str(template.title) % {"school": name},
        task=(task if task is not None else str(template.task)).strip()[:TEXT_MAX],
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def fill_week(actor: User, internship: Internship, monday: date) -> int:
    """The standard week from `monday` on, where the internship runs and the slot is free;
    on-site days go round the supervisor's schools. Returns how many entries were made."""
    _editor(actor, internship)
    monday = monday - timedelta(days=monday.weekday())
    schools = supervisor_schools(internship)
    made = 0
    for weekday, part, kind in STANDARD_WEEK:
        day = monday + timedelta(days=weekday)
        if not internship.starts_on <= day <= internship.ends_on:
            continue
        if _slot_taken(internship, day, part):
            continue
        school = schools[made % len(schools)] if schools else None
        add_entry(
            actor, internship, day=day, part=part, kind=kind,
            school_id=school.id if school else None,
        )  # fmt: skip
        made += 1
    return made


def _text(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX:
        raise InvalidInput(_l("The text is too long."), field)
    return value


def write_report(actor: User, entry: PlanEntry, text: str) -> None:
    if not writes_reports(actor, entry.internship):
        raise NotAllowed(_l("Only the intern writes the report, during the internship."))
    entry.report = _text(text, "report")
    db.session.flush()


def write_comment(actor: User, entry: PlanEntry, text: str) -> None:
    _editor(actor, entry.internship)
    entry.comment = _text(text, "comment")
    db.session.flush()


def delete_entry(actor: User, entry: PlanEntry) -> None:
    _editor(actor, entry.internship)
    db.session.delete(entry)
    db.session.flush()


def days_ahead(internship: Internship, first: date, count: int = 2) -> list[tuple[date, list]]:
    """The plan of `count` days from `first` (today and tomorrow on the start page)."""
    days = [first + timedelta(days=n) for n in range(count)]
    return [(day, [e for e in internship.entries if e.day == day]) for day in days]
