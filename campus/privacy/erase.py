"""Erasing a person on request (GDPR Art. 17), with the same anonymisation as retention:
the tickets they reported are anonymised at once (whatever their state: the fault stays
in the queue under its category's name), they become their role wherever else they acted,
and their account is pseudonymised. Every figure stays."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from campus.audit import audit
from campus.exceptions import Conflict, NotAllowed
from campus.extensions import db
from campus.models import (
    Absence,
    Article,
    AuditAction,
    FaultAnalysis,
    SiteVisit,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from campus.permissions import can_administer, can_deactivate
from campus.privacy.anonymise import (
    PLACEHOLDER_DOMAIN,
    anonymise_tickets,
    placeholders,
    pseudonymise_users,
)
from campus.privacy.retention import BATCH


def erase_person(actor: User, person: User, upload_folder: str, now: datetime | None = None) -> int:
    """Erase `person`; returns how many tickets were anonymised. The caller's unit of
    work commits (all or nothing)."""
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators may erase a person."))
    if not can_deactivate(actor, person):
        raise Conflict(_l("You cannot erase your own account."))
    if person.email.endswith("@" + PLACEHOLDER_DOMAIN) or person.pseudonymised_at:
        raise Conflict(_l("This account holds no personal data any more."))
    now = now or utcnow()
    user_id = person.id
    reported = list(db.session.scalars(select(Ticket.id).where(Ticket.reporter_id == user_id)))
    for start in range(0, len(reported), BATCH):
        anonymise_tickets(reported[start : start + BATCH], now, upload_folder)
    stand_in = placeholders(now)[str(person.role)]
    for statement in (
        update(TicketEvent).where(TicketEvent.actor_id == user_id).values(actor_id=stand_in),
        update(FaultAnalysis).where(FaultAnalysis.author_id == user_id).values(author_id=stand_in),
        update(Article).where(Article.created_by_id == user_id).values(created_by_id=stand_in),
        # open tickets they had are free for others; the level-1 figures keep their id
        update(Ticket).where(Ticket.assignee_id == user_id).values(assignee_id=None),
        delete(SiteVisit).where(SiteVisit.manager_id == user_id),
        delete(Absence).where(Absence.manager_id == user_id),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))
    pseudonymise_users([user_id], now)
    audit(AuditAction.PERSON_ERASED, actor=actor, subject=f"#{user_id}")
    return len(reported)
