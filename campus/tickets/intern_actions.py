"""The pupil interns' ticket actions in the registry (campus/tickets/actions.py), declared
like every other: hand over, take on, propose, approve, send back."""

from flask_babel import lazy_gettext as _l

from campus.tickets import intern_work
from campus.tickets.actions import ACTIONS, ActionSpec, _text_action
from campus.tickets.commands import Approval, ApprovalBody, NoBody, NoInput
from campus.tickets.forms import ApproveForm, ConfirmActionForm
from campus.tickets.workflow import Action


def _taken_by_intern(ticket) -> str | None:
    work = ticket.intern_work
    if work is None or work.intern is None:
        return None
    return str(_l("Already taken by %(name)s.", name=work.intern.display_name))


def _the_proposal_shown(form, ticket, fresh: bool) -> None:
    if fresh:
        form.proposal.data = intern_work.proposal_event_id(ticket)


ACTIONS.update(
    {
        spec.action: spec
        for spec in (
            ActionSpec(
                Action.HAND_OVER,
                NoInput,
                ConfirmActionForm,
                NoBody,
                lambda actor, ticket, _c: intern_work.hand_over(actor, ticket),
                _l("The ticket is handed over to the interns."),
                _l("An intern of the campus can take it on; you approve the solution."),
                button="outline-secondary",
            ),
            ActionSpec(
                Action.TAKE,
                NoInput,
                ConfirmActionForm,
                NoBody,
                lambda actor, ticket, _c: intern_work.take(actor, ticket),
                _l("You have taken on the ticket. Your supervisor approves your solution."),
                button="success",
                conflict=_taken_by_intern,
            ),
            _text_action(
                Action.PROPOSE,
                intern_work.propose,
                _l("Your proposed solution waits for your supervisor."),
                _l(
                    "Describe the solution as the teacher should read it; it takes effect "
                    "when your supervisor approves it."
                ),
            ),
            ActionSpec(
                Action.APPROVE,
                Approval,
                ApproveForm,
                ApprovalBody,
                lambda actor, ticket, c: intern_work.approve(actor, ticket, c.proposal),
                _l("The proposed solution is approved; the teacher is asked to confirm."),
                _l("The proposal becomes the solution the teacher reads."),
                button="success",
                prepare=_the_proposal_shown,
            ),
            _text_action(
                Action.SEND_BACK,
                intern_work.send_back,
                _l("The proposal is sent back to the intern."),
                _l("Say what is missing or wrong; the intern can propose again."),
            ),
        )
    }
)
