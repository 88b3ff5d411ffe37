"""Who may run, see and write pupil internships (issue 19): kept beside
campus/permissions.py (which re-exports them) under the same rules: each exists for one
object and as a list filter, and none compares role names or answers HTTP."""

from sqlalchemy import Select, and_, false, or_, select

from campus.models import EventKind, Internship, InternWork, Ticket, User
from campus.permissions import is_admin, is_intern, manages_a_campus, sees_internal, sides_of
from campus.tickets.workflow import Side


def can_run_internships(user: User) -> bool:
    """Administrators and campus managers set internships up (a manager for herself)."""
    return is_admin(user) or manages_a_campus(user)


def supervises(user: User, internship: Internship) -> bool:
    return manages_a_campus(user) and internship.supervisor_id == user.id


def can_edit_internship(user: User, internship: Internship) -> bool:
    """The period, the plan and the comments: the supervisor and administrators (who
    also hand the internship to a new supervisor); the sign-off: the supervisor only
    (campus/interns/certificate.py)."""
    return is_admin(user) or supervises(user, internship)


def can_view_internship(user: User, internship: Internship) -> bool:
    return can_edit_internship(user, internship) or (
        is_intern(user) and internship.intern_id == user.id
    )


def visible_internships(user: User, query: Select) -> Select:
    """The list twin of can_view_internship, for a query over Internship."""
    if is_admin(user):
        return query
    if manages_a_campus(user):
        return query.where(Internship.supervisor_id == user.id)
    if is_intern(user):
        return query.where(Internship.intern_id == user.id)
    return query.where(false())


def writes_reports(user: User, internship: Internship) -> bool:
    """The intern writes her short reports on the plan's entries, during the internship."""
    return is_intern(user) and internship.intern_id == user.id and user.is_active


def visible_entries(user: User, ticket: Ticket) -> list:
    """The ticket's history entries `user` reads (page and API alike): all for the support
    side and administrators; the public ones for everyone else; an intern also her own and
    her supervisor's comments on her proposals, never anyone else's internal notes."""
    if sees_internal(user, ticket):
        return list(ticket.events)
    intern = Side.INTERN in sides_of(user, ticket)
    return [
        e
        for e in ticket.events
        if not e.internal or (intern and (e.actor_id == user.id or e.kind == EventKind.SENT_BACK))
    ]


def interns_tickets(user: User, query: Select) -> Select:
    """The list twin of sides_of's intern side (permissions.visible_tickets asks here): at
    her supervisor's campuses, her tickets, and those handed over and open at level 1
    for the taking."""
    work = select(InternWork.ticket_id)
    return query.where(
        Ticket.campus_id.in_(user.campus_ids),
        or_(
            Ticket.id.in_(work.where(InternWork.intern_id == user.id)),
            and_(
                Ticket.id.in_(work.where(InternWork.intern_id.is_(None))),
                Ticket.level == 1,
                Ticket.is_open_clause(),
            ),
        ),
    )
