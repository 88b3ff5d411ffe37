"""Every ticket action a person can take, declared once.

Each entry says what the action needs (its command, a typed record of its fields), how
the page asks for it (its form) and how the API receives it (its body schema), what the
page says about it (hint, button, success text), and which service carries it out. Who
may take it, and when, is the workflow table's business (campus/tickets/workflow.py);
the service asks the table. The ticket page, its template and the API all read this
registry, so a new action is one more entry here.
"""

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, post_load
from marshmallow import fields as f

from campus.extensions import db
from campus.labels import ACTION_LABELS
from campus.models import Ticket, TicketEvent, User
from campus.tickets import services
from campus.tickets.forms import AssignForm, ConfirmActionForm, EscalateForm, ResolveForm, TextForm
from campus.tickets.services import ANALYSIS_FIELDS
from campus.tickets.workflow import Action

# --- commands: what each action needs ------------------------------------------------


@dataclass(frozen=True)
class NoInput:
    """A one-button action (take on, confirm)."""


@dataclass(frozen=True)
class WithText:
    text: str = ""


@dataclass(frozen=True)
class Resolution(WithText):
    l1_capable: bool = False  # the system house's judgement, level 2 only


@dataclass(frozen=True)
class Assignment:
    assignee_id: int | None = None


@dataclass(frozen=True)
class Analysis:
    """The structured fault analysis an escalation carries."""

    symptoms: str = ""
    steps_tried: str = ""
    device_data: str = ""
    reproduce: str = ""


# --- API bodies: the same commands as JSON -------------------------------------------------


class NoBody(Schema):
    pass


class TextBody(Schema):
    text = f.String(load_default="", metadata={"description": "The message or reason."})


class ResolutionBody(TextBody):
    l1_capable = f.Boolean(
        load_default=False, metadata={"description": "Level 2: could level 1 have solved it?"}
    )


class AssignmentBody(Schema):
    assignee_id = f.Integer(required=True, metadata={"description": "The colleague's user id."})


class AnalysisSchema(Schema):
    symptoms = f.String(load_default="")
    steps_tried = f.String(load_default="")
    device_data = f.String(load_default="")
    reproduce = f.String(load_default="")


class EscalationBody(Schema):
    analysis = f.Nested(AnalysisSchema, required=True)

    @post_load
    def flatten(self, data, **_kwargs):
        return data["analysis"]


# --- the registry ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActionSpec:
    action: Action
    command: type
    form: type
    body: type[Schema]
    run: Callable[[User, Ticket, Any], TicketEvent]
    done: str  # the success message
    hint: str = ""
    # The teacher and the support side may see one action differently (cancel).
    support_label: str | None = None
    support_hint: str | None = None
    button: str = "primary"  # the button's look on the ticket page

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.action]

    def label_for(self, support: bool) -> str:
        return (self.support_label if support else None) or self.label

    def hint_for(self, support: bool) -> str:
        return (self.support_hint if support else None) or self.hint

    def command_from_form(self, form) -> Any:
        """The command as the form holds it (a field the page left out keeps its default)."""
        return self.command(
            **{
                field.name: form[field.name].data
                for field in fields(self.command)
                if field.name in form
            }
        )

    @property
    def one_click(self) -> bool:
        """A button without input (take on, confirm)."""
        return not fields(self.command)

    def command_from_body(self, loaded: dict) -> Any:
        return self.command(**loaded)

    def take(self, actor: User, ticket: Ticket, command) -> TicketEvent:
        """Carry out the action (the service checks the workflow and the actor)."""
        return self.run(actor, ticket, command)


def _assign(actor: User, ticket: Ticket, command: Assignment) -> TicketEvent:
    assignee = db.session.get(User, command.assignee_id) if command.assignee_id else None
    return services.assign(actor, ticket, assignee)


def _text_action(action: Action, run, done, hint="", **extra) -> ActionSpec:
    return ActionSpec(
        action,
        WithText,
        TextForm,
        TextBody,
        lambda actor, ticket, c: run(actor, ticket, c.text),
        done,
        hint,
        **extra,
    )


ACTIONS: dict[Action, ActionSpec] = {
    spec.action: spec
    for spec in (
        ActionSpec(
            Action.CLAIM,
            NoInput,
            ConfirmActionForm,
            NoBody,
            lambda actor, ticket, _c: services.claim(actor, ticket),
            _l("You have taken on the ticket."),
            button="success",
        ),
        ActionSpec(
            Action.CONFIRM,
            NoInput,
            ConfirmActionForm,
            NoBody,
            lambda actor, ticket, _c: services.confirm(actor, ticket),
            _l("Thank you! The ticket is closed."),
            button="success",
        ),
        _text_action(
            Action.REPLY,
            services.reply,
            _l("Your reply has been sent."),
            _l("Visible to the teacher and the support side."),
        ),
        _text_action(
            Action.NOTE,
            services.note,
            _l("The internal note has been saved."),
            _l("Only for campus managers and the system house; never shown to the teacher."),
        ),
        _text_action(
            Action.WAIT,
            services.wait,
            _l("Your question has been sent to the teacher."),
            _l("Ask the teacher; their reply puts the ticket back to work."),
        ),
        ActionSpec(
            Action.RESOLVE,
            Resolution,
            ResolveForm,
            ResolutionBody,
            lambda actor, ticket, c: services.resolve(
                actor, ticket, c.text, l1_capable=c.l1_capable
            ),
            _l("The ticket is resolved; the teacher is asked to confirm."),
            _l("Describe the solution; the teacher confirms it or reopens the ticket."),
        ),
        _text_action(
            Action.RETURN,
            services.return_to_level1,
            _l("The ticket is back with the campus manager."),
            _l("Back to the campus manager with your result or question (internal)."),
        ),
        _text_action(
            Action.REOPEN,
            services.reopen,
            _l("The ticket has been reopened."),
            _l("Not solved after all? Say what still does not work."),
        ),
        _text_action(
            Action.CANCEL,
            services.cancel,
            _l("The ticket has been cancelled."),
            _l("Withdraw your report if the problem has gone away."),
            support_label=_l("Close as duplicate / not a fault"),
            support_hint=_l(
                "Close a duplicate or something that is not a fault; "
                "the reason is shown to the teacher."
            ),
            button="outline-danger",
        ),
        ActionSpec(
            Action.ASSIGN,
            Assignment,
            AssignForm,
            AssignmentBody,
            _assign,
            _l("The ticket has been assigned."),
        ),
        ActionSpec(
            Action.ESCALATE,
            Analysis,
            EscalateForm,
            EscalationBody,
            lambda actor, ticket, c: services.escalate(
                actor, ticket, {name: getattr(c, name) for name in ANALYSIS_FIELDS}
            ),
            _l("The ticket has been escalated to the system house."),
            _l("Your precise analysis lets the system house narrow the fault down fast."),
            button="warning",
        ),
    )
}
