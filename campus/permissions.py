"""Who may see and do what: the one place for access rules.

Every rule exists twice, in the same words: for one object (`can_view_ticket`)
and as a query filter for lists (`visible_tickets`), so a list never shows what
the detail page would refuse.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, false, select

from campus.models import Role, Ticket, User
from campus.tickets.workflow import SUPPORT_SIDES, Side


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def can_administer(user: User) -> bool:
    """Campuses, schools and users are managed by administrators only."""
    return is_admin(user)


def can_deactivate(actor: User, target: User) -> bool:
    """Admins deactivate others, never themselves (that would lock the last door)."""
    return can_administer(actor) and actor.id != target.id


def admin_required(view):
    """Route guard: log in first, then only administrators; anyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_administer(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


# --- tickets ---------------------------------------------------------------


def can_report(user: User) -> bool:
    """Teachers report problems, for the school they belong to."""
    return user.is_authenticated and user.role == Role.TEACHER and user.school_id is not None


def is_support(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.CAMPUS_MANAGER, Role.SYSTEM_HOUSE)


def sides_of(user: User, ticket: Ticket) -> set[Side]:
    """The roles `user` plays on this ticket (none: they may not see it)."""
    sides: set[Side] = set()
    if not user.is_authenticated:
        return sides
    if ticket.reporter_id == user.id:
        sides.add(Side.REPORTER)
    if user.role == Role.CAMPUS_MANAGER and ticket.campus_id in user.campus_ids:
        sides.add(Side.MANAGER)
    if user.role == Role.SYSTEM_HOUSE and ticket.escalated_at is not None:
        sides.add(Side.SYSTEM_HOUSE)
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
    if user.role == Role.ADMIN:
        return query
    if user.role == Role.TEACHER:
        return query.where(Ticket.reporter_id == user.id)
    if user.role == Role.CAMPUS_MANAGER:
        return query.where(Ticket.campus_id.in_(user.campus_ids))
    if user.role == Role.SYSTEM_HOUSE:
        return query.where(Ticket.escalated_at.is_not(None))
    return query.where(false())


def can_be_assigned(user: User, ticket: Ticket, level: int) -> bool:
    """Who may hold a ticket: an active manager of its campus at level 1, system house at 2."""
    if not user.active:
        return False
    if level == 1:
        return user.role == Role.CAMPUS_MANAGER and ticket.campus_id in user.campus_ids
    return user.role == Role.SYSTEM_HOUSE


def assignable_people(ticket: Ticket) -> Select:
    """Who may hold the ticket at its level now (the list twin of can_be_assigned)."""
    from campus.models import Campus

    if ticket.level == 1:
        query = (
            select(User)
            .join(User.managed_campuses)
            .where(Campus.id == ticket.campus_id, User.role == Role.CAMPUS_MANAGER)
        )
    else:
        query = select(User).where(User.role == Role.SYSTEM_HOUSE)
    return query.where(User.active.is_(True)).distinct()


def works_a_queue(user: User) -> bool:
    """Everyone but teachers works from (or reads) the ticket queues; teachers see their own."""
    return user.is_authenticated and user.role != Role.TEACHER


# --- reports -------------------------------------------------------------------------


def can_read_reports(user: User) -> bool:
    """Administrators read every campus's figures, campus managers their own campuses'."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.CAMPUS_MANAGER)


def report_campus_ids(user: User) -> list[int] | None:
    """The campuses whose tickets a report may count for `user` (None: all)."""
    if is_admin(user):
        return None
    if user.role == Role.CAMPUS_MANAGER:
        return user.campus_ids
    return []


# --- devices -------------------------------------------------------------------------


def can_edit_devices(user: User, school) -> bool:
    """A school's inventory: administrators and the managers of its campus edit it."""
    if is_admin(user):
        return True
    return (
        user.is_authenticated
        and user.role == Role.CAMPUS_MANAGER
        and (school.campus_id in user.campus_ids)
    )


def can_view_device(user: User, device) -> bool:
    """Teachers see their own school's devices; the support side and admins see more."""
    if not user.is_authenticated:
        return False
    if user.role in (Role.ADMIN, Role.SYSTEM_HOUSE):
        return True
    if user.role == Role.CAMPUS_MANAGER:
        return device.school.campus_id in user.campus_ids
    return user.role == Role.TEACHER and device.school_id == user.school_id


def visible_devices(user: User, query: Select) -> Select:
    """The list twin of can_view_device."""
    from campus.models import Device, School

    if not user.is_authenticated:
        return query.where(false())
    if user.role in (Role.ADMIN, Role.SYSTEM_HOUSE):
        return query
    if user.role == Role.CAMPUS_MANAGER:
        return query.where(
            Device.school_id.in_(select(School.id).where(School.campus_id.in_(user.campus_ids)))
        )
    if user.role == Role.TEACHER:
        return query.where(Device.school_id == user.school_id)
    return query.where(false())


def can_report_at_school(user: User, school_id: int) -> bool:
    """A teacher reports problems with their own school's devices and rooms only."""
    return can_report(user) and user.school_id == school_id
