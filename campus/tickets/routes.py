"""The ticket page and its actions (report form: report_page.py; lists: lists.py)."""

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from campus.devices.services import needs_replacement
from campus.exceptions import FieldErrors, InvalidInput
from campus.extensions import db
from campus.knowledge.drafts import solved_at_level_two
from campus.knowledge.forms import ArticleForm, ButtonForm
from campus.knowledge.on_ticket import articles_for
from campus.knowledge.routes import publish_form
from campus.models import (
    FaultAnalysis,
    Ticket,
    TicketEvent,
    TicketPhoto,
    TicketStatus,
    utcnow,
)
from campus.permissions import (
    can_view_ticket,
    is_intern,
    is_support,
    sees_internal,
    visible_entries,
)
from campus.reports.typical import typical_first_response
from campus.tickets import bp
from campus.tickets.actions import ACTIONS, ActionSpec
from campus.tickets.feedback import asks_for_feedback, feedback_for, give_feedback
from campus.tickets.forms import FeedbackForm
from campus.tickets.photos import photo_path
from campus.tickets.queries import device_history, end_of_day, same_model_history
from campus.tickets.transitions import available_actions, closes_by_itself, reopen_deadline
from campus.tickets.workflow import Action
from campus.timetable.onsite import next_on_site
from campus.unit_of_work import StaleVersion, work


def _visible_ticket_or_404(ticket_id: int) -> Ticket:
    ticket = db.session.get(
        Ticket,
        ticket_id,
        options=[
            joinedload(Ticket.school),
            joinedload(Ticket.device),
            joinedload(Ticket.reporter),
            joinedload(Ticket.assignee),
            # each list in one query, its people joined in
            selectinload(Ticket.events).joinedload(TicketEvent.actor),
            selectinload(Ticket.photos),
            selectinload(Ticket.analyses).joinedload(FaultAnalysis.author),
        ],
    )
    if ticket is None or not can_view_ticket(current_user, ticket):
        abort(404)  # a ticket you may not see does not exist for you
    return ticket


def _action_forms(ticket: Ticket, allowed: list[Action], posted: tuple | None = None) -> dict:
    forms = {}
    for action in allowed:
        if posted and posted[0] == action:
            forms[action] = posted[1]
        elif action in ACTIONS:
            forms[action] = ACTIONS[action].form_for(ticket, posted=False)
    return forms


def _render_ticket(
    ticket: Ticket,
    posted: tuple | None = None,
    error: str | None = None,
    status: int = 200,
    publish: ArticleForm | None = None,
):
    internal = sees_internal(current_user, ticket)
    allowed = available_actions(current_user, ticket)
    events = visible_entries(current_user, ticket)
    history = device_history(current_user, ticket) if internal else []
    show_device = internal and ticket.device is not None
    same_model = same_model_history(current_user, ticket.device) if show_device else []
    replace = needs_replacement(ticket.device) if show_device else 0
    forms = _action_forms(ticket, allowed, posted)
    now = utcnow()
    # The teacher is told who comes and when, while her ticket waits at level 1; without
    # a planned visit, how long a first answer usually takes at her campus.
    waiting_for_visit = ticket.is_open and ticket.level == 1 and not internal
    on_site = next_on_site(ticket.school, now) if waiting_for_visit else None
    typical = None
    if on_site is not None and on_site.visit is None and ticket.first_response_at is None:
        typical = typical_first_response(ticket.campus_id, now)
    return render_template(
        "tickets/detail.html",
        ticket=ticket,
        events=events,
        internal=internal,
        analysis=ticket.analyses[-1] if internal and ticket.analyses else None,
        history_tickets=history,
        same_model=same_model,
        replace=replace,
        offered=[(ACTIONS[action], forms[action]) for action in ACTIONS if action in forms],
        error=error,
        is_support=is_support(current_user),
        is_intern=is_intern(current_user),
        now=now,
        midnight=end_of_day(now),
        on_site=on_site,
        typical_response=typical,
        forms_by_action={action.value: form for action, form in forms.items()},
        reporter_view=ticket.reporter_id == current_user.id and not internal,
        feedback_form=FeedbackForm() if asks_for_feedback(current_user, ticket) else None,
        feedback_comment=_feedback_comment(ticket) if internal else "",
        reopen_until=reopen_deadline(ticket),
        closes_on=closes_by_itself(ticket),
        publish_form=publish or publish_form(ticket),
        solved_at_level_two=solved_at_level_two(ticket),
        articles=articles_for(current_user, ticket),
        button_form=ButtonForm(),
    ), status


def _feedback_comment(ticket: Ticket) -> str:
    """The teacher's comment on the solution, for the support side (never her rating,
    which counts only in the reports' figures)."""
    if ticket.status != TicketStatus.CLOSED:
        return ""
    given = feedback_for(ticket)
    return given.comment if given else ""


@bp.route("/<int:ticket_id>")
@login_required
def detail(ticket_id: int):
    return _render_ticket(_visible_ticket_or_404(ticket_id))


@bp.route("/<int:ticket_id>/<action>", methods=["POST"])
@login_required
def act(ticket_id: int, action: str):
    ticket = _visible_ticket_or_404(ticket_id)
    spec: ActionSpec | None = ACTIONS.get(action)  # type: ignore[call-overload]
    if spec is None:
        abort(404)
    form = spec.form_for(ticket, posted=True)
    if not form.validate_on_submit():
        return _render_ticket(ticket, (spec.action, form), status=422)
    attempt = spec.carry_out(
        current_user,
        ticket,
        spec.command_from_form(form),
        reload=lambda: _visible_ticket_or_404(ticket_id),
        form=form,
    )
    if attempt.ok:
        flash(spec.done, "success")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    refusal = attempt.error
    if isinstance(refusal, FieldErrors | InvalidInput):
        return _render_ticket(ticket, (spec.action, form), status=422)
    form.form_errors.clear()  # shown above the page instead
    ticket = _visible_ticket_or_404(ticket_id)  # as it stands now, after the rollback
    message = (
        spec.conflict_message(ticket) if isinstance(refusal, StaleVersion) else refusal.message
    )
    return _render_ticket(ticket, (spec.action, form), error=message, status=refusal.status_code)


@bp.route("/<int:ticket_id>/feedback", methods=["POST"])
@login_required
def feedback(ticket_id: int):
    """The reporter's thumbs up or down on the solution (once)."""
    ticket = _visible_ticket_or_404(ticket_id)
    form = FeedbackForm()
    if not form.validate_on_submit():
        for message in form.rating.errors + form.comment.errors + form.form_errors:
            flash(message, "warning")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="feedback"))
    with work(form) as done:
        give_feedback(current_user, ticket, form.rating.data == "up", form.comment.data)
    if done.ok:
        flash(_("Thank you for your feedback!"), "success")
    else:
        flash(done.error.message, "warning")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.route("/<int:ticket_id>/photos/<int:photo_id>")
@login_required
def photo(ticket_id: int, photo_id: int):
    ticket = _visible_ticket_or_404(ticket_id)
    photo = db.session.get(TicketPhoto, photo_id)
    if photo is None or photo.ticket_id != ticket.id:
        abort(404)
    path = photo_path(current_app.config["UPLOAD_FOLDER"], photo.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=photo.content_type, max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Disposition"] = "inline"
    return response
