"""The inventory: list, device page with its history, create and edit."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from campus.devices import bp
from campus.devices.forms import DeviceForm
from campus.devices.services import needs_replacement, save_device
from campus.extensions import db
from campus.formhelpers import db_int, form_status, page_number
from campus.models import Campus, Device, DeviceStatus, DeviceType, Room, School
from campus.permissions import can_edit_devices, can_view_device, visible_devices, visible_schools
from campus.tickets.queries import device_tickets, same_model_history
from campus.unit_of_work import work


@bp.route("/devices/")
@login_required
def index():
    args = request.args
    schools = db.session.scalars(
        visible_schools(
            current_user, select(School).join(School.campus).order_by(Campus.name, School.name)
        )
    ).all()
    school_id = args.get("school", type=db_int)
    if len(schools) == 1:
        school_id = schools[0].id  # one school to browse (a teacher's own): always that one
    school = next((s for s in schools if s.id == school_id), None)
    query = visible_devices(current_user, select(Device)).options(selectinload(Device.school))
    if school_id:
        query = query.where(Device.school_id == school_id)
    if args.get("type") in set(DeviceType):
        query = query.where(Device.type == args["type"])
    status = args.get("status", "active")
    if status == "active":
        query = query.where(Device.status != DeviceStatus.RETIRED)
    elif status in set(DeviceStatus):
        query = query.where(Device.status == status)
    if args.get("room"):
        query = query.where(Device.room == args["room"])
    term = args.get("q", "").strip()[:100]
    if term:
        pattern = f"%{term}%"
        query = query.where(
            or_(
                Device.inventory_number.ilike(pattern),
                Device.model.ilike(pattern),
                Device.serial_number.ilike(pattern),
            )
        )
    query = query.order_by(Device.school_id, Device.room, Device.inventory_number)
    page = db.paginate(
        query,
        page=page_number(),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "devices/index.html",
        page=page,
        schools=schools,
        school=school,
        status=status,
        can_edit=bool(school and can_edit_devices(current_user, school)),
    )


def device_or_404(device_id: int) -> Device:
    """The device, if the current user may see it; 404 otherwise (it does not exist for them)."""
    device = db.session.get(Device, device_id)
    if device is None or not can_view_device(current_user, device):
        abort(404)
    return device


def school_to_edit(school_id: int) -> School:
    """The school whose inventory the current user edits: 404 unknown, 403 not theirs."""
    school = db.session.get(School, school_id)
    if school is None:
        abort(404)
    if not can_edit_devices(current_user, school):
        abort(403)
    return school


@bp.route("/devices/<int:device_id>")
@login_required
def detail(device_id: int):
    device = device_or_404(device_id)
    return render_template(
        "devices/detail.html",
        device=device,
        tickets=device_tickets(current_user, device),
        same_model=same_model_history(current_user, device),
        replace=needs_replacement(device),
        can_edit=can_edit_devices(current_user, device.school),
    )


def _rooms(school: School) -> list[str]:
    return list(
        db.session.scalars(select(Room.name).where(Room.school_id == school.id).order_by(Room.name))
    )


@bp.route("/devices/new", methods=["GET", "POST"])
@bp.route("/devices/<int:device_id>/edit", methods=["GET", "POST"])
@login_required
def edit(device_id: int | None = None):
    device = device_or_404(device_id) if device_id else None
    school = school_to_edit(
        device.school_id if device else request.args.get("school", 0, type=db_int)
    )
    form = DeviceForm(obj=device)
    if form.validate_on_submit():
        with work(form) as attempt:
            saved = save_device(
                current_user,
                school,
                type=form.type.data,
                inventory_number=form.inventory_number.data,
                model=form.model.data,
                serial_number=form.serial_number.data,
                room=form.room.data,
                status=form.status.data,
                notes=form.notes.data,
                device=device,
            )
        if attempt.ok:
            flash(_("Device %(number)s saved.", number=saved.inventory_number), "success")
            return redirect(url_for("devices.detail", device_id=saved.id))
    return render_template(
        "devices/form.html", form=form, device=device, school=school, rooms=_rooms(school)
    ), form_status(form)
