"""Ticket pages: report a problem, my tickets, the queues, the ticket page and its actions."""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from campus.devices.services import needs_replacement
from campus.exceptions import DomainError, FieldErrors, InvalidInput
from campus.extensions import db
from campus.formhelpers import attach_error, form_status
from campus.labels import DONE_MESSAGES
from campus.models import (
    Campus,
    Device,
    FaultAnalysis,
    Role,
    Ticket,
    TicketEvent,
    TicketPhoto,
    User,
)
from campus.permissions import (
    can_report,
    can_report_at_school,
    can_view_ticket,
    is_support,
    sees_internal,
)
from campus.tickets import bp
from campus.tickets.forms import (
    AssignForm,
    ConfirmActionForm,
    EscalateForm,
    ReportForm,
    ResolveForm,
    TextForm,
)
from campus.tickets.photos import photo_path, read_upload
from campus.tickets.queries import (
    TicketFilter,
    device_history,
    filter_from_args,
    filter_options,
    same_model_history,
    solution_of,
    ticket_query,
)
from campus.tickets.reporting import report_ticket
from campus.tickets.services import ACTIONS, ANALYSIS_FIELDS, available_actions, perform
from campus.tickets.workflow import Action
from campus.webhooks import pending_deliveries, send_soon

# A scanned device suggests what is affected.
CATEGORY_OF_DEVICE = {
    "tablet": "tablet_notebook",
    "notebook": "tablet_notebook",
    "desktop": "tablet_notebook",
    "display_projector": "projector_display",
    "printer": "printer",
    "network": "network_wifi",
    "other": "other",
}

ACTION_FORMS = {
    Action.CLAIM: ConfirmActionForm,
    Action.CONFIRM: ConfirmActionForm,
    Action.ASSIGN: AssignForm,
    Action.ESCALATE: EscalateForm,
    Action.RESOLVE: ResolveForm,
}


def _visible_ticket_or_404(ticket_id: int) -> Ticket:
    ticket = db.session.get(
        Ticket,
        ticket_id,
        options=[
            selectinload(Ticket.events).selectinload(TicketEvent.actor),
            selectinload(Ticket.photos),
            selectinload(Ticket.analyses).selectinload(FaultAnalysis.author),
        ],
    )
    if ticket is None or not can_view_ticket(current_user, ticket):
        abort(404)  # a ticket you may not see does not exist for you
    return ticket


# --- report a problem ------------------------------------------------------------


def _device_choices(school_id: int) -> list[SelectChoice]:
    devices = db.session.scalars(
        select(Device)
        .where(Device.school_id == school_id)
        .order_by(Device.room, Device.inventory_number)
    )
    choices = [SelectChoice("", _("– not listed / don't know –"))]
    for device in devices:
        text = f"{device.inventory_number} · {device.model or device.type}"
        choices.append(SelectChoice(device.id, text, optgroup=device.room or _("No room")))
    return choices


def _rooms(school_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Device.room)
            .where(Device.school_id == school_id, Device.room != "")
            .distinct()
            .order_by(Device.room)
        )
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def report():
    if not can_report(current_user):
        abort(403)
    form = ReportForm()
    form.device_id.choices = _device_choices(current_user.school_id)
    if request.method == "GET":
        form.device_id.data = request.args.get("device", type=int)
        form.room.data = request.args.get("room", "")
        form.impact.data = form.impact.data or "impaired"
        scanned = db.session.get(Device, form.device_id.data) if form.device_id.data else None
        if scanned is not None and can_report_at_school(current_user, scanned.school_id):
            form.category.data = CATEGORY_OF_DEVICE.get(scanned.type)  # one tap fewer
    if form.validate_on_submit():
        uploads = [
            read_upload(f.filename, f.stream) for f in request.files.getlist("photos") if f.filename
        ]
        try:
            ticket = report_ticket(
                current_user,
                title=form.title.data,
                description=form.description.data,
                category=form.category.data,
                impact=form.impact.data,
                room=form.room.data,
                device_id=form.device_id.data,
                photos=uploads,
                upload_folder=current_app.config["UPLOAD_FOLDER"],
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Your report #%(number)s has been sent to your campus manager.",
                    number=ticket.number,
                ),
                "success",
            )
            return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    return render_template(
        "tickets/report.html", form=form, rooms=_rooms(current_user.school_id)
    ), form_status(form)


# --- lists -------------------------------------------------------------------------


def _per_page() -> int:
    return current_app.config["ITEMS_PER_PAGE"]


@bp.route("/mine")
@login_required
def mine():
    query = ticket_query(current_user, TicketFilter(sort="newest")).where(
        Ticket.reporter_id == current_user.id
    )
    page = db.paginate(query, per_page=_per_page(), error_out=False)
    return render_template("tickets/mine.html", page=page)


@bp.route("/")
@login_required
def queue():
    if current_user.role == Role.TEACHER:
        return redirect(url_for("tickets.mine"))
    f = filter_from_args(request.args, current_user)
    page = db.paginate(ticket_query(current_user, f), per_page=_per_page(), error_out=False)
    return render_template("tickets/queue.html", page=page, f=f, **filter_options(current_user))


# --- the ticket page and its actions ------------------------------------------------


def _assignee_choices(ticket: Ticket) -> list[SelectChoice]:
    """Who can hold the ticket at its level (the query form of can_be_assigned)."""
    if ticket.level == 1:
        candidates = (
            select(User)
            .join(User.managed_campuses)
            .where(Campus.id == ticket.campus_id, User.role == Role.CAMPUS_MANAGER)
        )
    else:
        candidates = select(User).where(User.role == Role.SYSTEM_HOUSE)
    users = db.session.scalars(
        candidates.where(User.active.is_(True)).order_by(User.display_name).distinct()
    )
    return [SelectChoice(u.id, u.display_name) for u in users]


def _action_forms(ticket: Ticket, allowed: list[Action], posted: tuple | None = None) -> dict:
    forms = {}
    for action in allowed:
        if posted and posted[0] == action:
            forms[action] = posted[1]
            continue
        form_class = ACTION_FORMS.get(action, TextForm)
        form = form_class(formdata=None, prefix=action.value)
        if action == Action.ESCALATE and ticket.device is not None:
            device = ticket.device
            facts = [
                (_("Inventory number"), device.inventory_number),
                (_("Model"), device.model),
                (_("Serial number"), device.serial_number),
                (_("Room"), device.room),
            ]
            form.device_data.data = "\n".join(f"{name}: {value}" for name, value in facts if value)
        forms[action] = form
    if Action.ASSIGN in forms:
        forms[Action.ASSIGN].assignee_id.choices = _assignee_choices(ticket)
    return forms


def _render_ticket(
    ticket: Ticket, posted: tuple | None = None, error: str | None = None, status: int = 200
):
    internal = sees_internal(current_user, ticket)
    allowed = available_actions(current_user, ticket)
    events = [e for e in ticket.events if internal or not e.internal]
    history = device_history(current_user, ticket) if internal else []
    show_device = internal and ticket.device is not None
    same_model = same_model_history(current_user, ticket.device) if show_device else []
    replace = needs_replacement(ticket.device) if show_device else 0
    return render_template(
        "tickets/detail.html",
        ticket=ticket,
        events=events,
        internal=internal,
        analysis=ticket.analyses[-1] if internal and ticket.analyses else None,
        history_tickets=history,
        same_model=same_model,
        replace=replace,
        solution_of=solution_of,
        forms=_action_forms(ticket, allowed, posted),
        Action=Action,
        error=error,
        is_support=is_support(current_user),
    ), status


@bp.route("/<int:ticket_id>")
@login_required
def detail(ticket_id: int):
    return _render_ticket(_visible_ticket_or_404(ticket_id))


@bp.route("/<int:ticket_id>/<action>", methods=["POST"])
@login_required
def act(ticket_id: int, action: str):
    ticket = _visible_ticket_or_404(ticket_id)
    try:
        action = Action(action)
    except ValueError:
        abort(404)
    if action not in ACTIONS:
        abort(404)
    form = ACTION_FORMS.get(action, TextForm)(prefix=action.value)
    if action == Action.ASSIGN:
        form.assignee_id.choices = _assignee_choices(ticket)
    if not form.validate_on_submit():
        return _render_ticket(ticket, (action, form), status=422)
    try:
        _perform(action, ticket, form)
        db.session.commit()
        send_soon(pending_deliveries(ticket))
    except (FieldErrors, InvalidInput) as error:
        db.session.rollback()
        attach_error(form, error)
        return _render_ticket(ticket, (action, form), status=422)
    except DomainError as error:
        db.session.rollback()
        return _render_ticket(
            ticket, (action, form), error=str(error.message), status=error.status_code
        )
    except StaleDataError:
        # Someone acted on the same ticket in the same moment and was first.
        db.session.rollback()
        ticket = _visible_ticket_or_404(ticket_id)
        if action == Action.CLAIM and ticket.assignee is not None:
            message = _("Already taken by %(name)s.", name=ticket.assignee.display_name)
        else:
            message = _("Someone else changed this ticket just now. Please check it and try again.")
        return _render_ticket(ticket, (action, form), error=message, status=409)
    flash(DONE_MESSAGES[action], "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


def _perform(action: Action, ticket: Ticket, form) -> None:
    """The action's arguments, as its form holds them."""
    assignee = None
    if action == Action.ASSIGN and form.assignee_id.data:
        assignee = db.session.get(User, form.assignee_id.data)
    analysis = None
    if action == Action.ESCALATE:
        analysis = {name: getattr(form, name).data for name in ANALYSIS_FIELDS}
    perform(
        current_user,
        ticket,
        action,
        text=form.text.data if hasattr(form, "text") else None,
        assignee=assignee,
        analysis=analysis,
        l1_capable=form.l1_capable.data if action == Action.RESOLVE else None,
    )


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
