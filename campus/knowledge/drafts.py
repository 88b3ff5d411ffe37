"""An article's first draft from a solved ticket: what the publish form starts with."""

from campus.models import Audience, EventKind, Ticket


def solution_text(ticket: Ticket) -> str:
    """The text of the ticket's latest resolution ('' if it has none)."""
    for event in reversed(ticket.events):
        if event.kind == EventKind.RESOLVED and event.text:
            return event.text
    return ""


def solved_at_level_two(ticket: Ticket) -> bool:
    """The system house solved it: next time level 1 may solve it with an article."""
    return ticket.resolved_level == 2


def draft_from(ticket: Ticket) -> dict:
    """Title, symptoms (the fault analysis's, else the description), steps (the solution),
    device kind and model, category; the audience teachers for a level-1 solution, the
    support side for a level-2 one (for the campus managers to solve it themselves)."""
    analysis = ticket.analyses[-1] if ticket.analyses else None
    device = ticket.device
    return {
        "title": ticket.title,
        "symptoms": (analysis.symptoms if analysis and analysis.symptoms else "")
        or ticket.description,
        "steps": solution_text(ticket),
        "category": ticket.category,
        "device_type": device.type if device else "",
        "device_model": device.model if device else "",
        "audience": Audience.SUPPORT if solved_at_level_two(ticket) else Audience.TEACHERS,
    }
