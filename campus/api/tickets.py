"""Tickets: the list, a report, one ticket with its history, and its workflow actions.

The actions come from the registry (campus/tickets/actions.py): each one's body schema
reads its fields, and the document describes the body as one of them per action.
"""

from functools import wraps

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields, post_load
from marshmallow.validate import OneOf
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from campus.api import bp
from campus.api.auth import api_user
from campus.api.errors import answers
from campus.api.shapes import NewTicketSchema, TicketPageSchema, TicketQuery, page_args
from campus.exceptions import NotAllowed
from campus.extensions import db
from campus.models import Ticket, TicketEvent
from campus.permissions import can_view_ticket, visible_entries, visible_tickets
from campus.schemas import Text, TicketSchema, TicketWithEventsSchema
from campus.tickets.actions import ACTIONS
from campus.tickets.filing import report_ticket
from campus.tickets.queries import counts_by_person
from campus.tickets.workflow import Action
from campus.unit_of_work import work

FILTERS = (
    ("level", Ticket.level),
    ("school_id", Ticket.school_id),
    ("campus_id", Ticket.campus_id),
    ("assignee_id", Ticket.assignee_id),
)


@bp.get("/tickets")
@bp.response(200, TicketPageSchema)
@answers(400, 403)
@bp.arguments(TicketQuery, location="query")
def ticket_list(args):
    """Tickets this user may see"""
    page, per_page = page_args(args, default_per_page=25)
    if not counts_by_person(api_user(), args.get("assignee_id"), args.get("status") or ""):
        raise NotAllowed(
            _l(
                "Filtering by another person's tickets is possible for open tickets only "
                "while figures per campus manager are switched off (co-determination)."
            )
        )
    query = visible_tickets(api_user(), select(Ticket))
    for name, column in FILTERS:
        if args.get(name) is not None:
            query = query.where(column == args[name])
    if args.get("status"):
        query = query.where(Ticket.status == args["status"])
    if args.get("updated_since") is not None:
        query = query.where(Ticket.updated_at >= args["updated_since"])
    result = db.paginate(
        query.order_by(Ticket.id), page=page, per_page=per_page, error_out=False, count=True
    )
    return {"items": result.items, "page": page, "per_page": per_page, "total": result.total}


@bp.post("/tickets")
@bp.response(201, TicketSchema)
@answers(400, 403, 413)
@bp.arguments(NewTicketSchema)
def create_ticket(body):
    """Report a problem (teachers)"""
    with work():
        ticket = report_ticket(api_user(), **body)
    return ticket


# --- one ticket ------------------------------------------------------------------------------


class TicketView:
    """A ticket with the part of its history the reader may see."""

    def __init__(self, ticket: Ticket):
        self._ticket = ticket
        self.events = visible_entries(api_user(), ticket)

    def __getattr__(self, name):
        return getattr(self._ticket, name)


def _load(ticket_id: int) -> Ticket:
    """The ticket with its history, as it stands; 404 if the user may not see it."""
    ticket = db.session.get(
        Ticket,
        ticket_id,
        options=[selectinload(Ticket.events).selectinload(TicketEvent.actor)],
        populate_existing=True,
    )
    if ticket is None or not can_view_ticket(api_user(), ticket):
        abort(404, _("No such ticket."))
    return ticket


def visible_ticket(view):
    """Load the ticket of `ticket_id` with its history; 404 if the user may not see it."""

    @wraps(view)
    def loaded(*args, ticket_id: int, **kwargs):
        return view(*args, ticket=_load(ticket_id), **kwargs)

    return loaded


@bp.get("/tickets/<int:ticket_id>")
@bp.response(200, TicketWithEventsSchema)
@answers(404)
@visible_ticket
def ticket_detail(ticket: Ticket):
    """A ticket with its events (internal ones for the support side)"""
    return TicketView(ticket)


# --- actions ---------------------------------------------------------------------------------

ACTION_NAMES = [action.value for action in Action if action in ACTIONS]  # the table's order
UNKNOWN_ACTION = _l("Unknown action; use one of: %(actions)s.", actions=", ".join(ACTION_NAMES))


class ActionChoice(OneOf):
    def _format_error(self, value) -> str:
        return str(UNKNOWN_ACTION)


class ActionRequestSchema(Schema):
    """`{"action": ..., ...}`: the rest is read by that action's own body schema."""

    class Meta:
        unknown = EXCLUDE

    action = Text(
        required=True,
        validate=ActionChoice(ACTION_NAMES),
        error_messages={"required": UNKNOWN_ACTION, "invalid": UNKNOWN_ACTION},
    )

    @post_load(pass_original=True)
    def command(self, data, original, **_kwargs):
        spec = ACTIONS[Action(data["action"])]
        body = {name: value for name, value in original.items() if name != "action"}
        return spec, spec.command_from_body(spec.body().load(body, unknown=EXCLUDE))


def _action_bodies() -> dict:
    """The request body as the document shows it: one schema per kind of body."""
    kinds: dict[type[Schema], list[str]] = {}
    for action, spec in ACTIONS.items():
        kinds.setdefault(spec.body, []).append(action.value)
    variants = {
        f"Action{body.__name__}": type(
            f"Action{body.__name__}",
            (body,),
            {
                "action": fields.String(required=True, validate=OneOf(names)),
                "Meta": type("Meta", (), {"unknown": EXCLUDE}),  # other keys are ignored
            },
        )
        for body, names in kinds.items()
    }
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": list(variants.values()),
                    "discriminator": {
                        "propertyName": "action",
                        "mapping": {
                            name: f"#/components/schemas/Action{spec.body.__name__}"
                            for name, spec in ((a.value, s) for a, s in ACTIONS.items())
                        },
                    },
                }
            }
        },
    }


@bp.post("/tickets/<int:ticket_id>/actions")
@bp.response(200, TicketWithEventsSchema, description="The ticket after the action")
@answers(400, 403, 404, 409, 413)
@bp.doc(requestBody=_action_bodies())
@visible_ticket
@bp.arguments(ActionRequestSchema)
def ticket_action(request, ticket: Ticket):
    """Take a workflow action (who may take which, when: the workflow table)"""
    spec, command = request
    ticket_id = ticket.id
    spec.carry_out(api_user(), ticket, command, reload=lambda: _load(ticket_id))
    return TicketView(_load(ticket_id))
