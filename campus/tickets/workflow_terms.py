"""The words of the workflow table (campus/tickets/workflow.py): who acts on a ticket
(sides) and what they do (actions)."""

from enum import StrEnum


class Side(StrEnum):
    REPORTER = "reporter"  # the teacher who filed the ticket
    MANAGER = "manager"  # a campus manager of the ticket's campus
    SYSTEM_HOUSE = "system_house"  # second level, once the ticket was escalated
    SYSTEM = "system"  # Campus itself (close-stale), never a person
    INTERN = "intern"  # a pupil intern, on a ticket handed over to interns (issue 19)


class Action(StrEnum):
    CLAIM = "claim"
    ASSIGN = "assign"
    REPLY = "reply"
    NOTE = "note"
    WAIT = "wait"
    RESOLVE = "resolve"
    ESCALATE = "escalate"
    RETURN = "return"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    CANCEL = "cancel"
    CLOSE = "close"  # the system, for resolved tickets left unconfirmed (close-stale)
    RELEASE = "release"  # the system, when the assignee may no longer hold the ticket
    # Pupil interns: handed over by a campus manager, taken by an intern, whose proposed
    # solution the supervisor approves (it resolves the ticket) or sends back.
    HAND_OVER = "hand_over"
    TAKE = "take"
    PROPOSE = "propose"
    APPROVE = "approve"
    SEND_BACK = "send_back"
