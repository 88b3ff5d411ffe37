"""The mail outbox's notices: a ticket's history entry, written in the action's own
transaction with `mailed` false, is the notice that mails are owed.

Nothing more is written while the action holds the write lock (a teacher's report stays
at its few statements). After the commit a job (`mail.notify`) takes the entry (an UPDATE
that only one taker wins) and writes its mails (campus/mail/notifications.py) in one
unit of work. A job that is lost costs a minute: the worker's sweep (`notify_due`)
takes every entry still unmailed, and marks those that can lead to no mail in bulk.
"""

from sqlalchemy import inspect, select, update

from campus import events as e
from campus import jobs
from campus.events import TICKET_EVENTS
from campus.extensions import db
from campus.mail import sending
from campus.mail.notifications import write_for
from campus.models import TicketEvent
from campus.unit_of_work import work

# The changes that can lead to a mail (the others' entries are marked mailed in bulk).
MAILED_EVENTS = (
    e.TicketFiled,
    e.TicketAsked,
    e.TicketReplied,
    e.TicketResolved,
    e.TicketReturned,
    e.TicketCancelled,
    e.TicketEscalated,
    e.TicketReopened,
    e.SolutionProposed,
    e.ProposalSentBack,
)
MAILED_KINDS = tuple(kind for kind, cls in TICKET_EVENTS.items() if cls in MAILED_EVENTS)


def notify_soon(event: e.TicketChanged) -> None:
    """After the commit: the mails of this change are written by a job. (The entry's id
    is read from its identity: the committed row is not loaded again.)"""
    if isinstance(event, MAILED_EVENTS) and event.trail is not None and sending.enabled():
        identity = inspect(event.trail).identity
        if identity:
            jobs.enqueue("mail.notify", identity[0])


def notify(event_id: int) -> int:
    """The job: take one history entry and write its mails; how many were written."""
    with work():
        taken = db.session.execute(
            update(TicketEvent)
            .where(TicketEvent.id == event_id, TicketEvent.mailed.is_(False))
            .values(mailed=True)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not taken:
            return 0  # another worker took it, or there was nothing to write
        trail = db.session.get(TicketEvent, event_id, populate_existing=True)
        kind = TICKET_EVENTS.get(trail.kind)
        if kind is None or not sending.enabled():
            return 0
        event = kind(at=trail.created_at, ticket=trail.ticket, actor=trail.actor, before=None,
                     trail=trail)  # fmt: skip
        return write_for(event)


def notify_due(limit: int = 500) -> int:
    """The sweep: entries that cannot lead to a mail are marked in one statement; the
    others are taken one by one (their job was lost, or jobs are off)."""
    with work():
        db.session.execute(
            update(TicketEvent)
            .where(TicketEvent.mailed.is_(False), TicketEvent.kind.not_in(MAILED_KINDS))
            .values(mailed=True)
            .execution_options(synchronize_session=False)
        )
    due = list(
        db.session.scalars(
            select(TicketEvent.id)
            .where(TicketEvent.mailed.is_(False))
            .order_by(TicketEvent.id)
            .limit(limit)
        )
    )
    db.session.commit()
    return sum(notify(event_id) for event_id in due)
