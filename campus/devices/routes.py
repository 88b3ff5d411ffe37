"""The inventory: list, device page with its history, create and edit."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from campus.devices import bp
from campus.devices.forms import DeviceForm
from campus.devices.services import needs_replacement, save_device
from campus.exceptions import DomainError
from campus.extensions import db
from campus.formhelpers import attach_error, form_status
from campus.models import Campus, Device, DeviceStatus, DeviceType, Room, School
from campus.permissions import can_edit_devices, can_view_device, report_campus_ids, visible_devices
from campus.tickets.queries import device_tickets, same_model_history, solution_of


def _visible_schools():
    query = select(School).join(School.campus).order_by(Campus.name, School.name)
    if current_user.role == "teacher":
        return db.session.scalars(query.where(School.id == current_user.school_id)).all()
    campus_ids = report_campus_ids(current_user) if current_user.role != "system_house" else None
    if campus_ids is not None:
        query = query.where(School.campus_id.in_(campus_ids))
    return db.session.scalars(query).all()


@bp.route("/")
@login_required
def index():
    args = request.args
    query = visible_devices(current_user, select(Device)).options(selectinload(Device.school))
    school_id = args.get("school", type=int)
    if current_user.role == "teacher":
        school_id = current_user.school_id
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
    page = db.paginate(query, per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    schools = _visible_schools()
    school = db.session.get(School, school_id) if school_id else None
    return render_template(
        "devices/index.html",
        page=page,
        schools=schools,
        school=school,
        status=status,
        can_edit=bool(school and can_edit_devices(current_user, school)),
    )


def _device_or_404(device_id: int) -> Device:
    device = db.session.get(Device, device_id)
    if device is None or not can_view_device(current_user, device):
        abort(404)
    return device


@bp.route("/<int:device_id>")
@login_required
def detail(device_id: int):
    device = _device_or_404(device_id)
    return render_template(
        "devices/detail.html",
        device=device,
        tickets=device_tickets(current_user, device),
        same_model=same_model_history(current_user, device),
        replace=needs_replacement(device),
        solution_of=solution_of,
        can_edit=can_edit_devices(current_user, device.school),
    )


def _rooms(school: School) -> list[str]:
    return list(
        db.session.scalars(select(Room.name).where(Room.school_id == school.id).order_by(Room.name))
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:device_id>/edit", methods=["GET", "POST"])
@login_required
def edit(device_id: int | None = None):
    device = _device_or_404(device_id) if device_id else None
    school = (
        device.school if device else db.session.get(School, request.args.get("school", 0, type=int))
    )
    if school is None:
        abort(404)
    if not can_edit_devices(current_user, school):
        abort(403)
    form = DeviceForm(obj=device)
    if form.validate_on_submit():
        try:
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
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Device %(number)s saved.", number=saved.inventory_number), "success")
            return redirect(url_for("devices.detail", device_id=saved.id))
    return render_template(
        "devices/form.html", form=form, device=device, school=school, rooms=_rooms(school)
    ), form_status(form)
