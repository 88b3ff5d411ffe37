"""Domain events: what happened, recorded by the services on the unit of work.

Services say *that* something happened (a ticket was escalated, a school moved to
another campus); the handlers in campus/handlers.py decide what follows from it
(report facts, the webhook outbox, sending). An event is a plain record: it holds the
objects involved and, for a ticket, its column values from just before the change.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, eq=False)
class Event:
    """Something that happened in the domain, at `at` (UTC)."""

    at: datetime


# --- tickets ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TicketChanged(Event):
    """Any change to a ticket. `before` holds its column values from just before the
    change (None for a new ticket); `trail` is the event written to its history."""

    ticket: Any  # campus.models.Ticket
    actor: Any | None  # campus.models.User; None when Campus itself acted
    before: Mapping[str, Any] | None
    trail: Any | None = None  # campus.models.TicketEvent


class TicketFiled(TicketChanged):
    """A teacher reported a problem."""


class TicketClaimed(TicketChanged):
    """Someone took on the ticket."""


class TicketAssigned(TicketChanged):
    """The ticket was handed to a colleague."""


class TicketReplied(TicketChanged):
    """A public message on the ticket."""


class TicketNoted(TicketChanged):
    """An internal note (support side only)."""


class TicketAsked(TicketChanged):
    """The support side asked the teacher a question and waits for the answer."""


class TicketEscalated(TicketChanged):
    """A campus manager sent the ticket to the system house with a fault analysis."""


class TicketReturned(TicketChanged):
    """The system house handed the ticket back to level 1."""


class TicketResolved(TicketChanged):
    """A solution was recorded; the teacher confirms or reopens."""


class TicketConfirmed(TicketChanged):
    """The teacher confirmed the solution."""


class TicketReopened(TicketChanged):
    """The teacher said it is not solved after all."""


class TicketCancelled(TicketChanged):
    """The teacher withdrew the report, or a manager closed a duplicate."""


class TicketClosed(TicketChanged):
    """Campus closed a resolved ticket nobody confirmed."""


class TicketReleased(TicketChanged):
    """The ticket's (level-1) holder may no longer hold it; it went back to the queue."""


class TicketHandedOver(TicketChanged):
    """A campus manager handed the ticket over to the interns (issue 19)."""


class TicketTaken(TicketChanged):
    """An intern took the ticket on."""


class SolutionProposed(TicketChanged):
    """An intern proposed a solution; it waits for the supervisor."""


class ProposalSentBack(TicketChanged):
    """The supervisor sent an intern's proposed solution back with a comment."""


# The history entry's kind (campus/tickets/workflow.py, Rule.event) -> its domain event.
TICKET_EVENTS: dict[str, type[TicketChanged]] = {
    "created": TicketFiled,
    "claimed": TicketClaimed,
    "assigned": TicketAssigned,
    "replied": TicketReplied,
    "noted": TicketNoted,
    "waiting": TicketAsked,
    "escalated": TicketEscalated,
    "returned": TicketReturned,
    "resolved": TicketResolved,
    "confirmed": TicketConfirmed,
    "reopened": TicketReopened,
    "cancelled": TicketCancelled,
    "closed": TicketClosed,
    "released": TicketReleased,
    "handed_over": TicketHandedOver,
    "taken": TicketTaken,
    "proposed": SolutionProposed,
    "sent_back": ProposalSentBack,
}


# --- inventory, schools, people ---------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DeviceChanged(Event):
    """A device was created or edited; `old_type` is its kind before (None: new)."""

    device: Any  # campus.models.Device
    old_type: str | None


@dataclass(frozen=True, eq=False)
class SchoolMoved(Event):
    """A school now belongs to another campus; its tickets moved along."""

    school: Any  # campus.models.School
    old_campus_id: int
    new_campus_id: int


@dataclass(frozen=True, eq=False)
class UserDeactivated(Event):
    """A user can no longer log in; what they held must go back to the queues."""

    user: Any  # campus.models.User


@dataclass(frozen=True, eq=False)
class UserPlacementChanged(Event):
    """A user's role, school or campuses were saved (possibly changed)."""

    user: Any  # campus.models.User


@dataclass(frozen=True, eq=False)
class ReportSettingsChanged(Event):
    """A setting that every past figure depends on changed: the report facts are rebuilt."""


# --- the knowledge base -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ArticleChanged(Event):
    """An article of the knowledge base was written, edited or retired."""

    article: Any  # campus.models.Article
    actor: Any  # campus.models.User


class ArticlePublished(ArticleChanged):
    """A solution was written down as an article, from a solved ticket."""


class ArticleEdited(ArticleChanged):
    """An article's text, scope or audience changed (or another ticket was linked)."""


class ArticleRetired(ArticleChanged):
    """An article is no longer suggested."""


@dataclass(frozen=True, eq=False)
class ArticleUsed(Event):
    """An article helped: a teacher's self-help, or used on a ticket."""

    use: Any  # campus.models.ArticleUse


# --- the visit timetable -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TimetableChanged(Event):
    """Visits, absences, one-off changes or holidays changed for these schools (None:
    every school, as with holidays): their plans and open due dates follow."""

    school_ids: tuple[int, ...] | None


# --- mail ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MailWritten(Event):
    """A mail was put into the outbox; after the commit it goes out."""

    mail_id: int
