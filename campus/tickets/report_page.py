"""Report a problem: the teacher's form, phone-first, prefilled from a scanned label."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from campus.database import reads_first
from campus.extensions import db
from campus.formhelpers import db_int, form_status
from campus.models import Device, Ticket, utcnow
from campus.permissions import can_report, can_report_at_school
from campus.tickets import bp
from campus.tickets.filing import report_ticket
from campus.tickets.forms import ReportForm
from campus.tickets.photos import read_upload
from campus.tickets.suggestions import issue_form_key
from campus.timetable.onsite import next_on_site
from campus.unit_of_work import work

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


def _open_by_device(school_id: int) -> dict[int, list]:
    """The school's open tickets about a device, by device: the form warns before the same
    fault is reported twice. Of a colleague's ticket the form shows number, category and age
    only: her title and text may name pupils and stay hers."""
    rows = db.session.execute(
        select(
            Ticket.id,
            Ticket.number,
            Ticket.title,
            Ticket.created_at,
            Ticket.reporter_id,
            Ticket.device_id,
            Ticket.category,
        )
        .where(
            Ticket.school_id == school_id, Ticket.device_id.is_not(None), Ticket.is_open_clause()
        )
        .order_by(Ticket.created_at.desc())
        .limit(200)
    )
    found: dict[int, list] = {}
    for row in rows:
        found.setdefault(row.device_id, []).append(row)
    return found


@bp.route("/new", methods=["GET", "POST"])
@login_required
@reads_first  # the form is checked first; the write lock is taken for the filing only
def report():
    if not can_report(current_user):
        abort(403)
    form = ReportForm()
    if request.method == "GET":
        form.device_id.data = request.args.get("device", type=db_int)
        form.room.data = request.args.get("room", "")
        form.impact.data = form.impact.data or "impaired"
        scanned = db.session.get(Device, form.device_id.data) if form.device_id.data else None
        if scanned is not None and can_report_at_school(current_user, scanned.school_id):
            form.category.data = CATEGORY_OF_DEVICE.get(scanned.type)  # one tap fewer
    failed = None
    if form.validate_on_submit():
        uploads = [
            read_upload(f.filename, f.stream) for f in request.files.getlist("photos") if f.filename
        ]
        if current_user.school is None:  # read now, not while holding the write lock
            abort(403)
        with work(form) as filed:
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
            number, ticket_id = ticket.number, ticket.id  # not read again after the commit
        if filed.ok:
            flash(
                _("Your report #%(number)s has been sent to your campus manager.", number=number),
                "success",
            )
            return redirect(url_for("tickets.detail", ticket_id=ticket_id))
        failed = filed.error
    form.device_id.choices = _device_choices(current_user.school_id)  # only to show the form
    # A fault of the server's (the photo storage) is a 503, not a mistake in the form.
    server_fault = failed is not None and failed.status_code >= 500
    now = utcnow()
    return render_template(
        "tickets/report.html",
        form=form,
        rooms=_rooms(current_user.school_id),
        open_by_device=_open_by_device(current_user.school_id),
        on_site=next_on_site(current_user.school, now),
        now=now,
        self_help_key=issue_form_key(),  # for "That helped" under a suggested article
    ), failed.status_code if server_fault else form_status(form)
