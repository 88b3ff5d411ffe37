"""Who hears of a ticket's change by mail, and what they read.

`write_for(event)` works out the readers (never the person who acted, never an inactive
account, never someone who may not see the ticket), asks each reader's choice for that
kind of notice (at once, in the digest, or not at all; `KINDS` holds the defaults) and
writes the mails into the outbox in each reader's language. It runs in the job that
takes the change's notice (campus/mail/notices.py). Mails carry public text only:
internal notes, the system house's internal return text and the fault analysis never
leave the ticket page.
"""

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus import events as e
from campus.extensions import db
from campus.formats import in_language
from campus.mail import links, sending
from campus.mail.kinds import KINDS, MODES, NO_REPLIES, WHAT, Kind
from campus.models import Impact, MailPreference, Ticket, User
from campus.permissions import (
    can_view_ticket,
    level_two_staff,
    managers,
    manages_a_campus,
    works_at_level_two,
)
from campus.urls import external_url

# --- who reads what -------------------------------------------------------------------------


def _level_one(ticket: Ticket) -> list[User]:
    """Whoever holds the ticket at level 1, else every manager of its campus."""
    holder = ticket.l1_assignee if ticket.level == 2 else ticket.assignee
    if holder is not None and manages_a_campus(holder):
        return [holder]
    return list(db.session.scalars(managers(select(User), ticket.campus_id)))


def _level_two(ticket: Ticket) -> list[User]:
    """Whoever holds the escalated ticket, else the whole system house."""
    if ticket.assignee is not None and works_at_level_two(ticket.assignee):
        return [ticket.assignee]
    return list(db.session.scalars(level_two_staff(select(User))))


def _intern_work(event: e.TicketChanged) -> list[tuple[User, str]]:
    """The intern who took the ticket on, or her supervisor, where the change concerns
    them: the teacher's reply (intern), a proposal (supervisor), the supervisor's answer
    (intern; an approval is the resolution stamped when the proposal was approved)."""
    work = event.ticket.intern_work
    if work is None or work.intern is None:
        return []
    by_reporter = event.actor is not None and event.actor.id == event.ticket.reporter_id
    match event:
        case e.TicketReplied() if by_reporter:
            return [(work.intern, "teacher_replied")]
        case e.SolutionProposed() if work.supervisor_id is not None:
            return [(db.session.get(User, work.supervisor_id), "proposed")]
        case e.ProposalSentBack():
            return [(work.intern, "sent_back")]
        case e.TicketResolved() if work.approved_at is not None and work.approved_at == (
            event.trail.created_at if event.trail is not None else event.at
        ):
            return [(work.intern, "approved")]
    return []


def readers(event: e.TicketChanged) -> list[tuple[User, str]]:
    """(reader, kind) for one ticket event, before leaving out the actor."""
    return _readers(event) + _intern_work(event)


def _readers(event: e.TicketChanged) -> list[tuple[User, str]]:
    ticket, actor = event.ticket, event.actor
    reporter = ticket.reporter
    by_reporter = actor is not None and actor.id == reporter.id
    by_level_two = actor is not None and works_at_level_two(actor)
    match event:
        case e.TicketFiled():
            kind = "new_blocking" if ticket.impact == Impact.BLOCKING else "new_ticket"
            return [(m, kind) for m in _level_one(ticket)]
        case e.TicketAsked():
            return [(reporter, "asked")]
        case e.TicketReplied() | e.TicketReopened() if by_reporter:
            found = [(m, "teacher_replied") for m in _level_one(ticket)]
            if ticket.level == 2:
                found += [(s, "manager_replied") for s in _level_two(ticket)]
            return found
        case e.TicketReplied():
            found = [(reporter, "replied")]
            if by_level_two:
                found += [(m, "l2_result") for m in _level_one(ticket)]
            elif ticket.level == 2:
                found += [(s, "manager_replied") for s in _level_two(ticket)]
            return found
        case e.TicketResolved():
            found = [(reporter, "resolved")]
            if by_level_two:
                found += [(m, "l2_result") for m in _level_one(ticket)]
            return found
        case e.TicketReturned():
            return [(reporter, "returned"), *((m, "l2_result") for m in _level_one(ticket))]
        case e.TicketCancelled() if not by_reporter:
            return [(reporter, "cancelled")]
        case e.TicketEscalated():
            return [(s, "escalated") for s in _level_two(ticket)]
    return []


def choices(user_ids: list[int]) -> dict[tuple[int, str], str]:
    """Each reader's choices where they differ from the defaults."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(MailPreference.user_id, MailPreference.kind, MailPreference.mode).where(
            MailPreference.user_id.in_(sorted(set(user_ids)))
        )
    )
    return {(user_id, kind): mode for user_id, kind, mode in rows}


def mode_of(kind: Kind, chosen: dict, user_id: int) -> str:
    mode = chosen.get((user_id, kind.key), kind.default)
    if mode == "digest" and not kind.digest:
        return "now"
    return mode if mode in MODES else kind.default


def write_for(event: e.TicketChanged) -> int:
    """The outbox mails that tell of this change (in the caller's unit of work)."""
    found = [
        (user, kind)
        for user, kind in readers(event)
        if user.is_active
        and (event.actor is None or user.id != event.actor.id)
        and can_view_ticket(user, event.ticket)
    ]
    if not found:
        return 0
    chosen = choices([user.id for user, _kind in found])
    seen: set[int] = set()
    written = 0
    for user, key in found:
        if user.id in seen:  # one mail per reader and change
            continue
        seen.add(user.id)
        kind = KINDS[key]
        mode = mode_of(kind, chosen, user.id)
        if mode != "off":
            written += bool(mail_for(user, kind, event, hold=mode == "digest"))
    return written


def public_text(event: e.TicketChanged, kind: Kind) -> str:
    """What the mail may quote: the teacher's description of a new report, or the public
    text of the history entry; an internal one only to the supervisor and the intern, of
    the proposal and the comment on it."""
    if isinstance(event, e.TicketFiled):
        return event.ticket.description
    trail = event.trail
    if trail is None or (trail.internal and not kind.quotes_internal):
        return ""
    return trail.text or ""


def mail_for(user: User, kind: Kind, event: e.TicketChanged, hold: bool):
    ticket = event.ticket
    actor_name = event.actor.display_name if event.actor is not None else "Campus"
    replies = bool(current_app.config.get("MAIL_REPLY_ADDRESS")) and kind.key not in NO_REPLIES
    with in_language(user.locale):
        values = {
            "title": ticket.title,
            "actor": actor_name,
            "school": ticket.school.name,
            "what": str(WHAT.get(type(event), _l("made a change"))),
        }
        subject = str(kind.subject % values)
        if not kind.quotes_internal:  # an answer to a proposal or a comment is no reply
            subject += f" {links.subject_token(ticket.id, ticket.number, user.id)}"
        answers = answer_links(ticket, user, event) if kind.key == "resolved" else None
        context = {
            "reader": user,
            "ticket": ticket,
            "lead": kind.lead % values,
            "quote": public_text(event, kind),
            "ticket_url": external_url("tickets.detail", ticket_id=ticket.id),
            "answers": answers,
            "settings_url": external_url("auth.notifications"),
            "replies": replies,
        }
        text = render_template("mail/notification.txt", **context)
        html = render_template("mail/notification.html", **context)
    return sending.write(
        kind=kind.key,
        to=user.email,
        subject=subject,
        text=text,
        html=html,
        user_id=user.id,
        ticket_id=ticket.id,
        reply_to=links.reply_address(ticket.id, user.id) if replies else "",
        hold=hold,
        now=event.at,
    )


def answer_links(ticket: Ticket, user: User, event: e.TicketChanged) -> dict[str, str]:
    """The one-click "solved" and "not solved" links of a resolution."""
    trail_id = event.trail.id if event.trail is not None else 0
    token = links.sign(links.ANSWER, [ticket.id, user.id, trail_id])
    return {
        "solved": external_url("mail.answer", token=token, answer="solved"),
        "not_solved": external_url("mail.answer", token=token, answer="not-solved"),
    }
