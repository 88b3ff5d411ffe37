"""Setting up pupil internships: the intern's account with its access period, attached to
one supervising campus manager (and through her to her campuses' schools), invited by
mail to set a password; the period changed later; the certificate signed off.

Administrators set up internships for any campus manager, a campus manager for herself.
"""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from campus.admin.services import looks_like_email
from campus.audit import audit, person
from campus.auth.invitations import send_invitation, send_invitation_again, unusable_password
from campus.exceptions import Conflict, ErrorCollector, NotAllowed
from campus.extensions import db
from campus.models import (
    AuditAction,
    Internship,
    InternWork,
    Role,
    Ticket,
    User,
    normalize_email,
)
from campus.permissions import (
    can_edit_internship,
    can_run_internships,
    is_admin,
    manages_a_campus,
)
from campus.reports.period import today_in_berlin

LONGEST = timedelta(days=92)  # an internship lasts days or weeks, never a school year


def _check_period(problems: ErrorCollector, starts_on, ends_on, new: bool) -> None:
    if not isinstance(starts_on, date):
        problems.add("starts_on", _l("Please enter the first day."))
    if not isinstance(ends_on, date):
        problems.add("ends_on", _l("Please enter the last day."))
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        return
    if ends_on < starts_on:
        problems.add("ends_on", _l("The last day cannot be before the first day."))
    elif ends_on - starts_on > LONGEST:
        problems.add("ends_on", _l("An internship lasts at most %(days)d days.", days=92))
    elif ends_on < today_in_berlin():  # a typo would end (and soon pseudonymise) her account
        problems.add("ends_on", _l("This period is already over."))


def _supervisor(actor: User, supervisor_id: int | None, problems: ErrorCollector) -> User | None:
    if not is_admin(actor):
        return actor  # a campus manager supervises her own interns
    supervisor = db.session.get(User, supervisor_id) if supervisor_id else None
    if supervisor is None or not manages_a_campus(supervisor) or not supervisor.active:
        problems.add("supervisor_id", _l("Please choose an active campus manager."))
        return None
    return supervisor


def create_internship(
    actor: User,
    *,
    email: str,
    display_name: str,
    starts_on: date | None,
    ends_on: date | None,
    supervisor_id: int | None = None,
) -> Internship:
    """A new intern account for the period, invited by mail, and its internship."""
    if not can_run_internships(actor):
        raise NotAllowed(_l("Only administrators and campus managers set up internships."))
    problems = ErrorCollector()
    email = normalize_email(email or "")
    display_name = " ".join((display_name or "").split())[:120]
    if not looks_like_email(email):
        problems.add("email", _l("Please enter a valid email address."))
    elif db.session.scalar(select(User.id).where(User.email == email)) is not None:
        problems.add("email", _l("A user with this email address already exists."))
    if not display_name:
        problems.add("display_name", _l("Please enter a name."))
    _check_period(problems, starts_on, ends_on, new=True)
    supervisor = _supervisor(actor, supervisor_id, problems)
    problems.raise_if_any()
    intern = User(
        email=email,
        display_name=display_name,
        role=Role.INTERN,
        password_hash=unusable_password(),
        access_from=starts_on,
        access_until=ends_on,
    )
    db.session.add(intern)
    db.session.flush()
    internship = Internship(
        intern=intern,
        supervisor=supervisor,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by_id=actor.id if actor.id else None,
    )
    db.session.add(internship)
    db.session.flush()
    audit(
        AuditAction.USER_CREATED,
        actor=actor,
        subject=person(intern),
        detail=f"intern {starts_on.isoformat()}–{ends_on.isoformat()}, supervisor #{supervisor.id}",
    )
    send_invitation(actor, intern)
    return internship


def change_period(actor: User, internship: Internship, starts_on, ends_on) -> None:
    """Move or lengthen the internship; the access period follows."""
    if not can_edit_internship(actor, internship):
        raise NotAllowed(_l("Only the supervisor or an administrator changes the internship."))
    if internship.signed_off_at is not None:
        raise Conflict(_l("The certificate is signed: the period stays as it says."))
    problems = ErrorCollector()
    _check_period(problems, starts_on, ends_on, new=False)
    problems.raise_if_any()
    internship.starts_on, internship.ends_on = starts_on, ends_on
    internship.intern.access_from, internship.intern.access_until = starts_on, ends_on
    db.session.flush()
    audit(
        AuditAction.USER_CHANGED,
        actor=actor,
        subject=person(internship.intern),
        detail=f"intern {starts_on.isoformat()}–{ends_on.isoformat()}",
    )


def change_supervisor(actor: User, internship: Internship, supervisor_id: int | None) -> None:
    """An administrator hands the internship to another campus manager (the supervisor
    left, or was deactivated): the plan, the intern's tickets and a proposal waiting for
    approval go with it; the intern works at the new supervisor's campuses."""
    if not is_admin(actor):
        raise NotAllowed(_l("Only administrators change an internship's supervisor."))
    if internship.signed_off_at is not None:
        raise Conflict(_l("The certificate is signed: the internship stays as it is."))
    problems = ErrorCollector()
    supervisor = _supervisor(actor, supervisor_id, problems)
    problems.raise_if_any()
    if supervisor.id == internship.supervisor_id:
        return
    working_at = set(
        db.session.scalars(
            select(Ticket.campus_id)
            .join(InternWork, InternWork.ticket_id == Ticket.id)
            .where(InternWork.intern_id == internship.intern_id, Ticket.is_open_clause())
        )
    )
    if not working_at <= set(supervisor.campus_ids):  # her open tickets would be stranded
        problems.add(
            "supervisor_id",
            _l("The intern works on open tickets of another campus: please choose a campus "
               "manager of that campus."),
        )  # fmt: skip
        problems.raise_if_any()
    internship.supervisor = supervisor
    db.session.execute(
        update(InternWork)
        .where(InternWork.intern_id == internship.intern_id)
        .values(supervisor_id=supervisor.id)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    audit(
        AuditAction.USER_CHANGED,
        actor=actor,
        subject=person(internship.intern),
        detail=f"intern supervisor #{supervisor.id}",
    )


def invite_again(actor: User, internship: Internship) -> None:
    """The invitation once more (the mail got lost, or the link expired while the
    internship was weeks ahead): for the supervisor or an administrator, until the
    intern has set her password and while the internship has not ended."""
    if not can_edit_internship(actor, internship):
        raise NotAllowed(_l("Only the supervisor or an administrator changes the internship."))
    if internship.ends_on < today_in_berlin():
        raise Conflict(_l("The internship is over: no invitation was sent."))
    send_invitation_again(actor, internship.intern)
