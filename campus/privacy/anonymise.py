"""Taking people out of tickets and accounts, set-based (a batch of tickets in a handful of
statements), never touching a figure.

A ticket keeps what the reports count: dates, states, levels, campus, school, room,
category, device and the id of the campus manager who worked it at level 1 (the figures
per manager count by it; it names nobody). Its reporter and the people in its trail
become placeholders named by their role ("Lehrkraft", "Campusmanagement", ...), its title
the category's name, and every free text, photo, mail and webhook payload about it goes.

A pseudonymised account keeps its id and role (figures and trails point to it) and
nothing else about the person: name, e-mail address, password, tokens, logins, mail
settings and the mails sent to it go; the audit trail and ticket texts say "#id" or
its new name instead of its old one.
"""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, case, delete, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from campus.exceptions import Conflict
from campus.extensions import db
from campus.labels import label
from campus.models import (
    ApiToken,
    AuditEntry,
    Category,
    EventKind,
    FaultAnalysis,
    Feedback,
    InboundMail,
    Internship,
    LoginSession,
    Mail,
    MailPreference,
    PlanEntry,
    Role,
    SsoLink,
    Ticket,
    TicketEvent,
    TicketPhoto,
    User,
)
from campus.models.webhook import WebhookDelivery

PLACEHOLDER_DOMAIN = "campus.invalid"  # RFC 2606: never an address anyone receives
ROLE_NAMES = {  # what a person is called once anonymised (the interface is German first)
    Role.TEACHER: "Lehrkraft",
    Role.CAMPUS_MANAGER: "Campusmanagement",
    Role.SYSTEM_HOUSE: "Systemhaus",
    Role.ADMIN: "Verwaltung",
    Role.INTERN: "Praktikum",
}
NAMED_IN_TEXT = (EventKind.ASSIGNED, EventKind.RELEASED)  # their text is a person's name
UNUSABLE_PASSWORD = "!"  # noqa: S105 - matches no password hash: nobody logs in


def placeholder_address(role: str) -> str:
    return f"anonymised-{role}@{PLACEHOLDER_DOMAIN}"


def placeholders(now: datetime) -> dict[str, int]:
    """The placeholder user of each role (made once, inactive, never able to log in),
    found by its address: an administrator cannot make or change one (admin/services)."""
    addresses = {placeholder_address(r): str(r) for r in Role}

    def found() -> dict[str, int]:
        rows = db.session.execute(select(User.email, User.id).where(User.email.in_(addresses)))
        return {addresses[email]: user_id for email, user_id in rows}

    have = found()
    for role in Role:
        if role in have:
            continue
        try:
            with db.session.begin_nested():  # another run making it at the same moment
                db.session.add(
                    User(
                        email=placeholder_address(role),
                        display_name=ROLE_NAMES[role],
                        password_hash=UNUSABLE_PASSWORD,
                        role=role,
                        active=False,
                        deactivated_at=now,
                        pseudonymised_at=now,
                    )
                )
        except IntegrityError:
            pass
    return found()


def is_placeholder_address(email: str) -> bool:
    return (email or "").lower().endswith("@" + PLACEHOLDER_DOMAIN)


def refuse_if_pseudonymised(user: User | None) -> None:
    """A pseudonymised account (or a placeholder) is never edited or reactivated."""
    if user is not None and (user.pseudonymised_at or is_placeholder_address(user.email)):
        raise Conflict(
            _l("This account was pseudonymised: its data is gone. Please create a new one.")
        )


def _as_placeholder(column, ids: dict[str, int]):
    """`column` (a users.id) turned into the placeholder of that user's role."""
    role = select(User.role).where(User.id == column).scalar_subquery()
    return case(*[(role == r, i) for r, i in ids.items()], else_=column)


def category_titles() -> dict[str, str]:
    with force_locale("de"):
        return {c.value: str(label("category", c)) for c in Category}


def anonymise_tickets(
    ticket_ids: Sequence[int], now: datetime, upload_folder: str, finished: bool = True
) -> int:
    """Anonymise these tickets (the caller picked them: closed long enough, or a person's
    on request). Returns how many photos were deleted. Flushes; the caller commits.
    `finished=False` (an erased person's open tickets): people and texts go as well, but
    the ticket is not marked, so that work goes on and retention takes what is added."""
    if not ticket_ids:
        return 0
    ids = placeholders(now)
    titles = category_titles()
    in_batch = Ticket.id.in_(ticket_ids)
    db.session.execute(
        update(Ticket)
        .where(in_batch)
        .values(
            reporter_id=_as_placeholder(Ticket.reporter_id, ids),
            assignee_id=_as_placeholder(Ticket.assignee_id, ids),
            title=case(*[(Ticket.category == c, t) for c, t in titles.items()], else_="–"),
            description="",
            room="",  # typed by the teacher: "Büro Frau X" would name her
            anonymised_at=now if finished else None,
            version=Ticket.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(TicketEvent)
        .where(TicketEvent.ticket_id.in_(ticket_ids))
        .values(actor_id=_as_placeholder(TicketEvent.actor_id, ids), text="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(FaultAnalysis)
        .where(FaultAnalysis.ticket_id.in_(ticket_ids))
        .values(
            author_id=_as_placeholder(FaultAnalysis.author_id, ids),
            symptoms="",
            steps_tried="",
            device_data="",
            reproduce="",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Feedback)
        .where(Feedback.ticket_id.in_(ticket_ids))
        .values(comment="")
        .execution_options(synchronize_session=False)
    )
    for model in (Mail, InboundMail, WebhookDelivery):
        db.session.execute(
            delete(model)
            .where(model.ticket_id.in_(ticket_ids))
            .execution_options(synchronize_session=False)
        )
    deleted = delete_photos(TicketPhoto.ticket_id.in_(ticket_ids), upload_folder)
    db.session.flush()
    db.session.expire_all()
    return deleted


def delete_photos(condition, upload_folder: str) -> int:
    """Delete the photos matching `condition`: their rows now, their files too (a file
    whose row is gone is never served; one left by a crash is harmless)."""
    names = list(db.session.scalars(select(TicketPhoto.stored_name).where(condition)))
    if not names:
        return 0
    db.session.execute(
        delete(TicketPhoto).where(condition).execution_options(synchronize_session=False)
    )
    for name in names:
        (Path(upload_folder) / name).unlink(missing_ok=True)
    return len(names)


def pseudonymise_users(user_ids: Sequence[int], now: datetime) -> None:
    """Pseudonymise these accounts (deactivated long enough, or erased on request)."""
    if not user_ids:
        return
    people = db.session.execute(
        select(User.id, User.role, User.display_name, User.email).where(User.id.in_(user_ids))
    ).all()
    for user_id, role, name, email in people:
        new_name = f"{ROLE_NAMES[Role(role)]} #{user_id}"
        _rewrite_texts(user_id, name, email, new_name)
        db.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(
                display_name=new_name,
                email=f"pseudonymised-{user_id}@{PLACEHOLDER_DOMAIN}",
                password_hash=UNUSABLE_PASSWORD,
                active=False,
                deactivated_at=func.coalesce(User.deactivated_at, now),
                pseudonymised_at=now,
                locale=None,
                calendar_key=None,
                session_version=User.session_version + 1,
            )
            .execution_options(synchronize_session=False)
        )
    # An intern's own words in her plan, and her supervisor's about her, go with her name.
    internships = select(Internship.id).where(Internship.intern_id.in_(user_ids))
    db.session.execute(
        update(PlanEntry)
        .where(PlanEntry.internship_id.in_(internships))
        .values(report="", comment="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Internship)
        .where(Internship.intern_id.in_(user_ids))
        .values(closing_note="")
        .execution_options(synchronize_session=False)
    )
    for model, column in (
        (ApiToken, ApiToken.user_id),
        (LoginSession, LoginSession.user_id),
        (MailPreference, MailPreference.user_id),
        (Mail, Mail.user_id),
        (SsoLink, SsoLink.user_id),  # the school account's id and refresh token
    ):
        db.session.execute(
            delete(model).where(column.in_(user_ids)).execution_options(synchronize_session=False)
        )
    db.session.flush()
    db.session.expire_all()


def _rewrite_texts(user_id: int, name: str, email: str, new_name: str) -> None:
    """The old name and address out of the audit trail, and the old name out of the
    trails' "assigned to ..." and "released from ..." lines, where they are the whole text
    (never inside other people's words)."""
    marker = f"#{user_id}"
    db.session.execute(
        update(AuditEntry)
        .where(or_(AuditEntry.actor_id == user_id, AuditEntry.actor_label == email))
        .values(actor_label=marker)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(  # "Name <address> (#id)": the person, whatever name it had then
        update(AuditEntry)
        .where(AuditEntry.subject.endswith(f"(#{user_id})", autoescape=True))
        .values(subject=marker)
        .execution_options(synchronize_session=False)
    )
    written = f"<{email}>"  # as campus.audit.person() writes it: no other address matches
    for column in (AuditEntry.subject, AuditEntry.detail):
        db.session.execute(
            update(AuditEntry)
            .where(column.contains(written, autoescape=True))
            .values({column.key: func.replace(column, literal(written, String), marker)})
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(TicketEvent)
        .where(TicketEvent.kind.in_(NAMED_IN_TEXT), TicketEvent.text == name)
        .values(text=new_name)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(InboundMail)
        .where(or_(InboundMail.user_id == user_id, InboundMail.sender == email))
        .execution_options(synchronize_session=False)
    )
