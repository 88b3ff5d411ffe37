"""Who hears of a ticket's change by mail, and what they read.

`write_for(event)` works out the readers (never the person who acted, never an inactive
account, never someone who may not see the ticket), asks each reader's choice for that
kind of notice (at once, in the digest, or not at all; `KINDS` holds the defaults) and
writes the mails into the outbox in each reader's language. It runs in the job that
takes the change's notice (campus/mail/notices.py). Mails carry public text only:
internal notes, the system house's internal return text and the fault analysis never
leave the ticket page.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus import events as e
from campus.extensions import db
from campus.formats import in_language
from campus.mail import links, sending
from campus.models import Impact, MailPreference, Ticket, User
from campus.permissions import (
    can_view_ticket,
    level_two_staff,
    managers,
    manages_a_campus,
    reports_problems,
    works_at_level_two,
)
from campus.urls import external_url

MODES = ("now", "digest", "off")


@dataclass(frozen=True)
class Kind:
    key: str
    reader: Callable[[User], bool]  # who can get it (and sees the choice for it)
    label: str  # on the notifications page
    subject: str  # "%(title)s" is the ticket's title
    lead: str  # the mail's first sentence
    default: str = "now"
    digest: bool = True  # may wait for the digest


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "asked",
            reports_problems,
            _l("A question about your report"),
            _l("Question about your report: %(title)s"),
            _l("%(actor)s has a question about your report."),
            digest=False,
        ),
        Kind(
            "replied",
            reports_problems,
            _l("A reply on your report"),
            _l("Reply on your report: %(title)s"),
            _l("%(actor)s has replied on your report."),
        ),
        Kind(
            "resolved",
            reports_problems,
            _l("Your report was solved"),
            _l("Solved: %(title)s"),
            _l(
                "%(actor)s has solved your report. Please tell us with one click whether "
                "the problem is gone."
            ),
            digest=False,
        ),
        Kind(
            "returned",
            reports_problems,
            _l("Your report is back with the campus manager"),
            _l("Back with your campus manager: %(title)s"),
            _l(
                "The system house has worked on your report and handed it back to your "
                "campus manager, who takes it on from here."
            ),
        ),
        Kind(
            "cancelled",
            reports_problems,
            _l("Your report was closed without a fix"),
            _l("Closed: %(title)s"),
            _l("%(actor)s has closed your report."),
        ),
        Kind(
            "new_blocking",
            manages_a_campus,
            _l("New report: lesson cannot go on"),
            _l("Lesson cannot go on: %(title)s"),
            _l("%(actor)s reports a fault that stops a lesson at %(school)s."),
            digest=False,
        ),
        Kind(
            "new_ticket",
            manages_a_campus,
            _l("Other new reports at your schools"),
            _l("New report: %(title)s"),
            _l("%(actor)s has reported a problem at %(school)s."),
            default="digest",
        ),
        Kind(
            "teacher_replied",
            manages_a_campus,
            _l("The teacher's reply"),
            _l("The teacher replied: %(title)s"),
            _l("%(actor)s has replied."),
        ),
        Kind(
            "l2_result",
            manages_a_campus,
            _l("A result from the system house"),
            _l("System house: %(title)s"),
            _l("The system house has %(what)s on a ticket of yours."),
        ),
        Kind(
            "escalated",
            works_at_level_two,
            _l("A new escalation"),
            _l("Escalated: %(title)s"),
            _l(
                "%(actor)s has escalated a ticket from %(school)s to the system house, "
                "with a fault analysis on the ticket page."
            ),
        ),
        Kind(
            "manager_replied",
            works_at_level_two,
            _l("The campus manager's reply"),
            _l("Reply from the campus: %(title)s"),
            _l("%(actor)s has replied on an escalated ticket."),
        ),
    )
}

WHAT = {
    e.TicketReplied: _l("sent a reply"),
    e.TicketResolved: _l("solved the problem"),
    e.TicketReturned: _l("handed the ticket back to you"),
}
# Notices an answer by mail cannot follow (the ticket waits for a click, or is closed).
NO_REPLIES = ("resolved", "cancelled")


def kinds_for(user: User) -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.reader(user)]


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


def readers(event: e.TicketChanged) -> list[tuple[User, str]]:
    """(reader, kind) for one ticket event, before leaving out the actor."""
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
        if user.active
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


def public_text(event: e.TicketChanged) -> str:
    """What the mail may quote: the teacher's description of a new report, or the public
    text of the history entry; never an internal one."""
    if isinstance(event, e.TicketFiled):
        return event.ticket.description
    trail = event.trail
    if trail is None or trail.internal:
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
        subject = (
            f"{kind.subject % values} {links.subject_token(ticket.id, ticket.number, user.id)}"
        )
        answers = answer_links(ticket, user, event) if kind.key == "resolved" else None
        context = {
            "reader": user,
            "ticket": ticket,
            "lead": kind.lead % values,
            "quote": public_text(event),
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
