"""Erasing a person on request (GDPR Art. 17), with the same anonymisation as retention:
the account is deactivated as usual first (their open tickets go back to the queue, their
visits leave the timetable), the tickets they reported are anonymised at once (an open
one keeps going under its category's name, and retention takes what is added to it once
it is closed), they become their role wherever else they acted, mails about their tickets
go, and the account is pseudonymised. Every figure stays."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from campus.admin.services import set_user_active
from campus.audit import audit
from campus.exceptions import Conflict, NotAllowed
from campus.extensions import db
from campus.models import (
    Absence,
    Article,
    AuditAction,
    FaultAnalysis,
    Mail,
    MailStatus,
    SiteVisit,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from campus.permissions import can_administer, can_deactivate
from campus.privacy.anonymise import (
    anonymise_tickets,
    is_placeholder_address,
    placeholders,
    pseudonymise_users,
)
from campus.privacy.retention import BATCH, ENDED

FINISHED_MAILS = (MailStatus.SENT, MailStatus.BUNDLED, MailStatus.FAILED)


def erase_person(actor: User, person: User, upload_folder: str, now: datetime | None = None) -> int:
    """Erase `person`; returns how many tickets were anonymised. The caller's unit of
    work commits (all or nothing)."""
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators may erase a person."))
    if not can_deactivate(actor, person):
        raise Conflict(_l("You cannot erase your own account."))
    if is_placeholder_address(person.email) or person.pseudonymised_at:
        raise Conflict(_l("This account holds no personal data any more."))
    now = now or utcnow()
    user_id = person.id
    stand_in = placeholders(now)[str(person.role)]
    set_user_active(actor, person, False)  # releases tickets, leaves the timetable
    person.managed_campuses = []
    db.session.flush()
    # mails about what they did (they name them and quote them), before they become a role
    acted_on = select(TicketEvent.ticket_id).where(TicketEvent.actor_id == user_id)
    db.session.execute(
        delete(Mail)
        .where(Mail.status.in_(FINISHED_MAILS), Mail.ticket_id.in_(acted_on))
        .execution_options(synchronize_session=False)
    )
    reported = db.session.execute(
        select(Ticket.id, Ticket.status).where(Ticket.reporter_id == user_id)
    ).all()
    for finished in (True, False):
        ids = [i for i, status in reported if (status in ENDED) == finished]
        for start in range(0, len(ids), BATCH):
            anonymise_tickets(ids[start : start + BATCH], now, upload_folder, finished=finished)
    for statement in (
        update(TicketEvent).where(TicketEvent.actor_id == user_id).values(actor_id=stand_in),
        update(FaultAnalysis).where(FaultAnalysis.author_id == user_id).values(author_id=stand_in),
        update(Article).where(Article.created_by_id == user_id).values(created_by_id=stand_in),
        delete(SiteVisit).where(SiteVisit.manager_id == user_id),
        delete(Absence).where(Absence.manager_id == user_id),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))
    pseudonymise_users([user_id], now)
    audit(AuditAction.PERSON_ERASED, actor=actor, subject=f"#{user_id}")
    return len(reported)
