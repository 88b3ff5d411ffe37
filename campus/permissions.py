"""Who may see and do what: the one place for access rules.

Every rule exists twice, in the same words: for one object (`can_view_ticket`)
and as a query filter for lists (`visible_tickets`), so a list never shows what
the detail page would refuse. Routes and templates ask these predicates and never
compare role names themselves; the rules say yes or no and never answer HTTP (the
route guards that do are in campus/guards.py).
"""

from sqlalchemy import Select, and_, false, or_, select

from campus.models import Campus, Device, Role, School, Ticket, User
from campus.tickets.workflow import SUPPORT_SIDES, Side

# --- who does what ---------------------------------------------------------------------
# Each predicate about a person has a twin that filters a query over User. A deactivated
# user is not authenticated (Flask-Login), so neither side counts them.


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def administrators(query: Select) -> Select:
    """The list twin of is_admin, for a query over User."""
    return query.where(User.role == Role.ADMIN, User.active.is_(True))


def is_intern(user: User) -> bool:
    """A pupil intern (issue 19): works handed-over tickets under supervision."""
    return user.is_authenticated and user.role == Role.INTERN


def intern_account(user: User) -> bool:
    """An intern's account, also after her internship (her entries keep their badge)."""
    return user.role == Role.INTERN


def interns(query: Select) -> Select:
    """The list twin of is_intern, for a query over User."""
    return query.where(User.role == Role.INTERN, User.active.is_(True))


def reports_problems(user: User) -> bool:
    """Teachers report problems: their start page, menu and label scans lead to the form."""
    return user.is_authenticated and user.role == Role.TEACHER


def reporters(query: Select) -> Select:
    """The list twin of reports_problems, for a query over User."""
    return query.where(User.role == Role.TEACHER, User.active.is_(True))


def manages_a_campus(user: User) -> bool:
    """Campus managers work level 1: the tickets and inventories of their campuses."""
    return user.is_authenticated and user.role == Role.CAMPUS_MANAGER


def managers(query: Select, campus_id: int | None = None) -> Select:
    """The list twin of manages_a_campus, for a query over User (of one campus, if given)."""
    query = query.where(User.role == Role.CAMPUS_MANAGER, User.active.is_(True))
    if campus_id is not None:
        query = query.where(User.managed_campuses.any(Campus.id == campus_id))
    return query


def works_at_level_two(user: User) -> bool:
    """The system house works level 2: the tickets escalated to it."""
    return user.is_authenticated and user.role == Role.SYSTEM_HOUSE


def level_two_staff(query: Select) -> Select:
    """The list twin of works_at_level_two, for a query over User."""
    return query.where(User.role == Role.SYSTEM_HOUSE, User.active.is_(True))


def can_administer(user: User) -> bool:
    """Campuses, schools and users are managed by administrators only."""
    return is_admin(user)


def can_deactivate(actor: User, target: User) -> bool:
    """Admins deactivate others, never themselves (that would lock the last door)."""
    return can_administer(actor) and actor.id != target.id


def can_export_personal_data(actor: User, person: User) -> bool:
    """A person's data (GDPR Art. 15 and 20): everyone downloads their own; administrators
    produce anyone's, for a request made to the school board."""
    return actor.is_authenticated and (actor.id == person.id or is_admin(actor))


# --- tickets ---------------------------------------------------------------


def can_report(user: User) -> bool:
    """Teachers report problems, for the school they belong to."""
    return reports_problems(user) and user.school_id is not None


def is_support(user: User) -> bool:
    """The support side (campus managers, system house) holds and works tickets."""
    return manages_a_campus(user) or works_at_level_two(user)


def sides_of(user: User, ticket: Ticket) -> set[Side]:
    """The roles `user` plays on this ticket (none: they may not see it)."""
    sides: set[Side] = set()
    if not user.is_authenticated:
        return sides
    if ticket.reporter_id == user.id:
        sides.add(Side.REPORTER)
    if manages_a_campus(user) and ticket.campus_id in user.campus_ids:
        sides.add(Side.MANAGER)
    if works_at_level_two(user) and ticket.escalated_at is not None:
        sides.add(Side.SYSTEM_HOUSE)
    if is_intern(user) and ticket.campus_id in user.campus_ids:
        work = ticket.intern_work  # hers, or handed over and open for the taking
        if work is not None and (
            work.intern_id == user.id
            or (work.intern_id is None and ticket.level == 1 and ticket.is_open)
        ):
            sides.add(Side.INTERN)
    return sides


def can_view_ticket(user: User, ticket: Ticket) -> bool:
    """Reporter, the campus's managers, the system house once escalated, admins (read-only)."""
    return is_admin(user) or bool(sides_of(user, ticket))


def sees_internal(user: User, ticket: Ticket) -> bool:
    """Internal notes and the fault analysis: the support side and admins, never teachers."""
    return is_admin(user) or bool(sides_of(user, ticket) & SUPPORT_SIDES)


def visible_tickets(user: User, query: Select) -> Select:
    """Restrict a ticket query to what `user` may see (the list twin of can_view_ticket)."""
    if not user.is_authenticated:
        return query.where(false())
    if is_admin(user):
        return query
    if reports_problems(user):
        return query.where(Ticket.reporter_id == user.id)
    if manages_a_campus(user):
        return query.where(Ticket.campus_id.in_(user.campus_ids))
    if works_at_level_two(user):
        return query.where(Ticket.escalated_at.is_not(None))
    if is_intern(user):
        from campus.permissions_interns import interns_tickets

        return interns_tickets(user, query)
    return query.where(false())


def can_be_assigned(user: User, ticket: Ticket, level: int) -> bool:
    """Who may hold a ticket: an active manager of its campus at level 1, system house at 2."""
    if not user.active:
        return False
    if level == 1:
        return manages_a_campus(user) and ticket.campus_id in user.campus_ids
    return works_at_level_two(user)


def assignable_people(ticket: Ticket) -> Select:
    """Who may hold the ticket at its level now (the list twin of can_be_assigned)."""
    if ticket.level == 1:
        return managers(select(User), ticket.campus_id)  # active ones, as can_be_assigned
    return level_two_staff(select(User))


def works_a_queue(user: User) -> bool:
    """Everyone but teachers works from (or reads) the ticket queues; teachers see their own."""
    return user.is_authenticated and not reports_problems(user)


# --- reports -------------------------------------------------------------------------


def can_read_reports(user: User) -> bool:
    """Administrators read every campus's figures, campus managers their own campuses'."""
    return is_admin(user) or manages_a_campus(user)


def report_campus_ids(user: User) -> list[int] | None:
    """The campuses whose tickets a report may count for `user` (None: all)."""
    if is_admin(user):
        return None
    if manages_a_campus(user):
        return user.campus_ids
    return []


# --- schools and devices ------------------------------------------------------------


def can_view_school(user: User, school: School) -> bool:
    """Whose inventory one browses: a teacher their own school's, a campus manager their
    campuses' schools', the system house and administrators every school's."""
    if is_admin(user) or works_at_level_two(user):
        return True
    if manages_a_campus(user):
        return school.campus_id in user.campus_ids
    return reports_problems(user) and school.id == user.school_id


def visible_schools(user: User, query: Select) -> Select:
    """The list twin of can_view_school, for a query over School."""
    if is_admin(user) or works_at_level_two(user):
        return query
    if manages_a_campus(user):
        return query.where(School.campus_id.in_(user.campus_ids))
    if reports_problems(user):
        return query.where(School.id == user.school_id)
    return query.where(false())


def can_edit_devices(user: User, school: School) -> bool:
    """A school's inventory: administrators and the managers of its campus edit it."""
    return is_admin(user) or (manages_a_campus(user) and school.campus_id in user.campus_ids)


def device_editors(school: School) -> Select:
    """Who edits the school's inventory (the list twin of can_edit_devices), over User."""
    manages_it = and_(
        User.role == Role.CAMPUS_MANAGER,
        User.managed_campuses.any(Campus.id == school.campus_id),
    )
    return select(User).where(User.active.is_(True), or_(User.role == Role.ADMIN, manages_it))


def can_view_device(user: User, device: Device) -> bool:
    """A device is seen by whoever may browse its school's inventory."""
    return can_view_school(user, device.school)


def visible_devices(user: User, query: Select) -> Select:
    """The list twin of can_view_device: the devices of the visible schools."""
    if is_admin(user) or works_at_level_two(user):
        return query  # every school: no subquery needed
    return query.where(Device.school_id.in_(visible_schools(user, select(School.id))))


def can_report_at_school(user: User, school_id: int) -> bool:
    """A teacher reports problems with their own school's devices and rooms only."""
    return can_report(user) and user.school_id == school_id


# --- the visit timetable -------------------------------------------------------------


def can_plan_visits(actor: User, manager: User) -> bool:
    """A campus manager keeps their own timetable and absences; administrators everyone's."""
    if not manages_a_campus(manager):
        return False
    return is_admin(actor) or (manages_a_campus(actor) and actor.id == manager.id)


def looks_after_school(user: User, school: School) -> bool:
    """A campus manager looks after the schools of their campuses: plans visits there,
    sees their tickets in the day plan, says "on site now" there."""
    return manages_a_campus(user) and school.campus_id in user.campus_ids


def can_edit_holidays(user: User) -> bool:
    """Holidays close every school of the city: administrators keep them."""
    return is_admin(user)


def has_day_plan(user: User) -> bool:
    """The day plan ("Heute") and the calendar feed are the campus managers'."""
    return manages_a_campus(user)


# --- the knowledge base, feedback and surveys (permissions_knowledge.py) -------------------

# Its rules build on the ones above and are asked for here like all the others; read on
# first use, so that either module may be imported first.
KNOWLEDGE_RULES = frozenset(
    {
        "article_audiences",
        "article_editors",
        "article_use_level",
        "can_apply_article",
        "can_edit_articles",
        "can_give_feedback",
        "can_publish_from",
        "can_read_article",
        "sees_retired_articles",
        "takes_surveys",
        "visible_articles",
    }
)


# Pupil internships (permissions_interns.py), the same way.
INTERN_RULES = frozenset(
    {
        "can_edit_internship",
        "can_run_internships",
        "can_view_internship",
        "supervises",
        "visible_entries",
        "visible_internships",
        "writes_reports",
    }
)


def __getattr__(name: str):
    if name in KNOWLEDGE_RULES:
        from campus import permissions_knowledge

        return getattr(permissions_knowledge, name)
    if name in INTERN_RULES:
        from campus import permissions_interns

        return getattr(permissions_interns, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
