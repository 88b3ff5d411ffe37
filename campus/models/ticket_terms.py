"""The kinds of things on a ticket: its category, its impact, and what a history entry
records (read with the tickets from campus/models/ticket.py)."""

from enum import StrEnum


class Category(StrEnum):
    TABLET_NOTEBOOK = "tablet_notebook"
    PROJECTOR_DISPLAY = "projector_display"
    NETWORK_WIFI = "network_wifi"
    PRINTER = "printer"
    SOFTWARE_APP = "software_app"
    ACCOUNT_LOGIN = "account_login"
    OTHER = "other"


class Impact(StrEnum):
    BLOCKING = "blocking"  # a lesson cannot go on
    IMPAIRED = "impaired"
    MINOR = "minor"


class EventKind(StrEnum):
    """What a history entry records; each has its domain event (events.TICKET_EVENTS)."""

    CREATED = "created"
    CLAIMED = "claimed"
    ASSIGNED = "assigned"
    REPLIED = "replied"
    NOTED = "noted"
    WAITING = "waiting"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    RETURNED = "returned"
    CONFIRMED = "confirmed"
    REOPENED = "reopened"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    RELEASED = "released"
    HANDED_OVER = "handed_over"  # to the interns (issue 19)
    TAKEN = "taken"  # by an intern
    PROPOSED = "proposed"  # an intern's solution, waiting for the supervisor
    SENT_BACK = "sent_back"  # the supervisor sent the proposal back
