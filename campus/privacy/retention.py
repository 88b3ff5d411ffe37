"""The retention job: what is kept only for a while goes when its time is up (run daily
by the worker, `flask campus retention`, or as a dry run that only counts).

- closed and cancelled tickets, `ticket_days` after they were closed: anonymised
  (anonymise.py; every figure stays);
- their photos, `photo_days` after the ticket was closed: deleted;
- deactivated accounts, `user_days` after deactivation: pseudonymised;
- login history (sessions; login, logout and failed-login entries of the audit trail)
  and the client addresses in the audit trail, `login_days` after they were made; so
  long too: sent mails, received mails' records, delivered webhook payloads, the
  campus managers' past absences (which may say that someone was ill) and their
  "on site now" check-ins.

Each batch is its own unit of work: a long first run holds no lock for long, and what a
crash interrupts, the next run finishes.
"""

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, delete, func, or_, select, update

from campus.extensions import db
from campus.models import (
    Absence,
    AuditAction,
    AuditEntry,
    InboundMail,
    LoginSession,
    Mail,
    MailStatus,
    PrivacySettings,
    SiteVisit,
    Ticket,
    TicketPhoto,
    TicketStatus,
    User,
    utcnow,
)
from campus.models.webhook import DeliveryStatus, WebhookDelivery
from campus.privacy.anonymise import (
    PLACEHOLDER_DOMAIN,
    anonymise_tickets,
    delete_photos,
    pseudonymise_users,
)
from campus.privacy.settings import BERLIN, SETTINGS_ID, privacy_settings, stored_settings
from campus.unit_of_work import work

BATCH = 500
ENDED = (TicketStatus.CLOSED, TicketStatus.CANCELLED)
LOGIN_ACTIONS = (
    AuditAction.LOGIN,
    AuditAction.LOGOUT,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOCKED_OUT,
)


@dataclass
class Retention:
    """What a run changed (or, as a dry run, would change)."""

    tickets: int = 0  # anonymised
    photos: int = 0  # deleted
    users: int = 0  # pseudonymised
    logins: int = 0  # sessions and login entries of the audit trail deleted
    addresses: int = 0  # audit entries whose client address was removed
    messages: int = 0  # sent mails, received mails' records, webhook payloads deleted
    absences: int = 0  # managers' past absences (illness among them), on-site check-ins

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Retention | None":
        try:
            return cls(
                **{k: int(v) for k, v in json.loads(text).items() if k in cls.__annotations__}
            )
        except (ValueError, TypeError, AttributeError):
            return None


@dataclass(frozen=True)
class Cutoffs:
    tickets: datetime
    photos: datetime
    users: datetime
    logins: datetime


def cutoffs(now: datetime) -> Cutoffs:
    settings = privacy_settings()
    return Cutoffs(
        tickets=now - timedelta(days=settings.ticket_days),
        photos=now - timedelta(days=settings.photo_days),
        users=now - timedelta(days=settings.user_days),
        logins=now - timedelta(days=settings.login_days),
    )


# --- what is due ---------------------------------------------------------------------------


def _tickets_due(cut: Cutoffs) -> Select:
    return select(Ticket.id).where(
        Ticket.status.in_(ENDED), Ticket.closed_at < cut.tickets, Ticket.anonymised_at.is_(None)
    )


def _photos_due(cut: Cutoffs):
    ended = select(Ticket.id).where(Ticket.status.in_(ENDED), Ticket.closed_at < cut.photos)
    return TicketPhoto.ticket_id.in_(ended)


def _users_due(cut: Cutoffs) -> Select:
    """Accounts deactivated, or (interns) whose access period ended, long enough ago."""
    return select(User.id).where(
        or_(
            and_(User.active.is_(False), User.deactivated_at < cut.users),
            User.access_until < cut.users.astimezone(BERLIN).date(),
        ),
        User.pseudonymised_at.is_(None),
        ~User.email.endswith("@" + PLACEHOLDER_DOMAIN),
    )


def _statements(cut: Cutoffs) -> dict[str, list]:
    """The deletions and updates of the histories, each with its WHERE."""
    logins = cut.logins
    return {
        "logins": [
            delete(LoginSession).where(
                or_(LoginSession.ended_at < logins, LoginSession.created_at < logins)
            ),
            delete(AuditEntry).where(AuditEntry.action.in_(LOGIN_ACTIONS), AuditEntry.at < logins),
        ],
        "addresses": [
            update(AuditEntry)
            .where(AuditEntry.at < logins, AuditEntry.address != "")
            .values(address="")
        ],
        "absences": [
            delete(Absence).where(Absence.last_day < logins.date()),
            delete(SiteVisit).where(SiteVisit.arrived_at < logins),
        ],
        "messages": [
            delete(Mail).where(
                Mail.status.in_([MailStatus.SENT, MailStatus.BUNDLED, MailStatus.FAILED]),
                Mail.created_at < logins,
            ),
            delete(InboundMail).where(InboundMail.created_at < logins),
            delete(WebhookDelivery).where(
                WebhookDelivery.status.in_([DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]),
                WebhookDelivery.created_at < logins,
            ),
        ],
    }


def _rows(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _count(statement) -> int:
    """How many rows a DELETE or UPDATE would touch."""
    table = statement.table
    query = select(func.count()).select_from(table)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    return db.session.scalar(query) or 0


# --- the run -------------------------------------------------------------------------------


def run_retention(
    upload_folder: str, now: datetime | None = None, dry_run: bool = False, batch: int = BATCH
) -> Retention:
    """Apply the retention periods (or, with dry_run, only count what would change)."""
    now = now or utcnow()
    cut = cutoffs(now)
    done = Retention()
    if dry_run:
        done.tickets = db.session.scalar(
            select(func.count()).select_from(_tickets_due(cut).subquery())
        )
        photos = or_(_photos_due(cut), TicketPhoto.ticket_id.in_(_tickets_due(cut)))
        done.photos = db.session.scalar(select(func.count(TicketPhoto.id)).where(photos))
        done.users = _rows(_users_due(cut))
        for name, statements in _statements(cut).items():
            setattr(done, name, sum(_count(s) for s in statements))
        db.session.rollback()
        return done
    while ids := list(db.session.scalars(_tickets_due(cut).order_by(Ticket.id).limit(batch))):
        with work():
            done.photos += anonymise_tickets(ids, now, upload_folder)
        done.tickets += len(ids)
    with work():
        done.photos += delete_photos(_photos_due(cut), upload_folder)
    while ids := list(db.session.scalars(_users_due(cut).order_by(User.id).limit(batch))):
        with work():
            pseudonymise_users(ids, now)
        done.users += len(ids)
    with work():
        for name, statements in _statements(cut).items():
            for statement in statements:
                changed = db.session.execute(
                    statement.execution_options(synchronize_session=False)
                ).rowcount
                setattr(done, name, getattr(done, name) + max(changed, 0))
        settings = stored_settings()
        settings.last_run_at = now
        settings.last_run_summary = done.to_json()
    return done


def last_run() -> tuple[datetime | None, Retention | None]:
    settings = db.session.get(PrivacySettings, SETTINGS_ID)
    if settings is None or settings.last_run_at is None:
        return None, None
    return settings.last_run_at, Retention.from_json(settings.last_run_summary)
