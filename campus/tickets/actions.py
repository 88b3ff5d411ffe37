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

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema
from wtforms import SelectChoice

from campus.extensions import db
from campus.labels import ACTION_LABELS
from campus.models import Ticket, TicketEvent, User
from campus.permissions import assignable_people
from campus.tickets import services
from campus.tickets.commands import (
    Analysis,
    Assignment,
    AssignmentBody,
    EscalationBody,
    NoBody,
    NoInput,
    Resolution,
    ResolutionBody,
    TextBody,
    WithText,
)
from campus.tickets.forms import AssignForm, ConfirmActionForm, EscalateForm, ResolveForm, TextForm
from campus.tickets.services import ANALYSIS_FIELDS
from campus.tickets.workflow import Action
from campus.unit_of_work import Attempt, StaleVersion, work

# --- the registry ----------------------------------------------------------------------

# What an intern reads above a step that a teacher or the support side reads otherwise.
INTERN_HINTS = {
    Action.REPLY: _l(
        "Goes to the teacher at once (also by e-mail), not to your supervisor first; "
        "your supervisor reads along."
    ),
    Action.NOTE: _l("For your supervisor and the support side only; never shown to the teacher."),
}


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
    # What the form needs from the ticket (choices, prefilled data); `fresh`: not posted.
    prepare: Callable[[Any, Ticket, bool], None] | None = None
    # What to say when someone else acted on the ticket in the same moment and was first.
    conflict: Callable[[Ticket], str | None] | None = None
    # Adds to the ticket without deciding on its state (a reply, a note): when someone else
    # changed the ticket in the same moment, it is taken once more on the ticket as it is.
    commutes: bool = False

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.action]

    def label_for(self, support: bool) -> str:
        return (self.support_label if support else None) or self.label

    def hint_for(self, support: bool, intern: bool = False) -> str:
        if intern and self.action in INTERN_HINTS:
            return str(INTERN_HINTS[self.action])
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
        """A button without input (take on, confirm; approve only names the proposal shown,
        in a hidden field)."""
        return all(f.metadata.get("hidden") for f in fields(self.command))

    def form_for(self, ticket: Ticket, *, posted: bool) -> Any:
        """The page's form for this action on `ticket` (posted: read from the request)."""
        form = self.form(prefix=self.action.value, **({} if posted else {"formdata": None}))
        if self.prepare is not None:
            self.prepare(form, ticket, not posted)
        return form

    def command_from_body(self, loaded: dict) -> Any:
        return self.command(**loaded)

    def take(self, actor: User, ticket: Ticket, command) -> TicketEvent:
        """Carry out the action (the service checks the workflow and the actor)."""
        return self.run(actor, ticket, command)

    def carry_out(self, actor: User, ticket: Ticket, command, reload, form=None) -> Attempt:
        """Take the action as one unit of work (see `work`); an action that commutes is
        tried once more, on `reload()`'s ticket, if it lost a race."""
        try:
            with work(form) as attempt:
                self.take(actor, ticket, command)
        except StaleVersion:  # raised only without a form
            if not self.commutes:
                raise
        else:
            if attempt.ok or not (self.commutes and isinstance(attempt.error, StaleVersion)):
                return attempt
            form.form_errors.clear()
        with work(form) as attempt:
            self.take(actor, reload(), command)
        return attempt

    def conflict_message(self, ticket: Ticket) -> str:
        """Why the action lost a race, as the ticket now stands."""
        message = self.conflict(ticket) if self.conflict is not None else None
        return message or str(
            _l("Someone else changed this ticket just now. Please check it and try again.")
        )


# --- what the forms need from the ticket ----------------------------------------------------


def _assignees(form, ticket: Ticket, _fresh: bool) -> None:
    people = db.session.scalars(assignable_people(ticket).order_by(User.display_name))
    form.assignee_id.choices = [SelectChoice(u.id, u.display_name) for u in people]


def _level_two_judgement(form, ticket: Ticket, _fresh: bool) -> None:
    if ticket.level != 2:
        del form.l1_capable  # only the system house judges whether level 1 could have


def _device_data(form, ticket: Ticket, fresh: bool) -> None:
    if fresh and ticket.device is not None:
        device = ticket.device
        facts = [
            (_("Inventory number"), device.inventory_number),
            (_("Model"), device.model),
            (_("Serial number"), device.serial_number),
            (_("Room"), device.room),
        ]
        form.device_data.data = "\n".join(f"{name}: {value}" for name, value in facts if value)


def _taken_by(ticket: Ticket) -> str | None:
    if ticket.assignee is None:
        return None
    return _("Already taken by %(name)s.", name=ticket.assignee.display_name)


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
            conflict=_taken_by,
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
            _l("Your message goes to the campus management; their answer appears here."),
            support_hint=_l("Visible to the teacher and the support side."),
            commutes=True,
        ),
        _text_action(
            Action.NOTE,
            services.note,
            _l("The internal note has been saved."),
            _l("Only for campus managers and the system house; never shown to the teacher."),
            commutes=True,
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
            prepare=_level_two_judgement,
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
            prepare=_assignees,
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
            prepare=_device_data,
        ),
    )
}

# The pupil interns' actions join the registry (they build on the entries above).
from campus.tickets import intern_actions as _intern_actions  # noqa: E402, F401
