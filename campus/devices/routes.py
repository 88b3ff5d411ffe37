"""The inventory: list, device page with its history, create and edit."""

import base64
import binascii

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from campus.devices import bp
from campus.devices.forms import DeviceForm, ImportForm
from campus.devices.importer import MAX_BYTES, plan_import, run_import
from campus.devices.labels import LAYOUTS, Label, label_sheet, room_sign
from campus.devices.services import needs_replacement, save_device
from campus.exceptions import DomainError
from campus.extensions import db
from campus.formhelpers import attach_error, form_status
from campus.models import Campus, Device, DeviceStatus, DeviceType, Room, School
from campus.permissions import (
    can_edit_devices,
    can_report_at_school,
    can_view_device,
    report_campus_ids,
    visible_devices,
)
from campus.tickets.queries import device_tickets, same_model_history, solution_of


def _visible_schools():
    query = select(School).join(School.campus).order_by(Campus.name, School.name)
    if current_user.role == "teacher":
        return db.session.scalars(query.where(School.id == current_user.school_id)).all()
    campus_ids = report_campus_ids(current_user) if current_user.role != "system_house" else None
    if campus_ids is not None:
        query = query.where(School.campus_id.in_(campus_ids))
    return db.session.scalars(query).all()


@bp.route("/devices/")
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


@bp.route("/devices/<int:device_id>")
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


@bp.route("/devices/new", methods=["GET", "POST"])
@bp.route("/devices/<int:device_id>/edit", methods=["GET", "POST"])
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


# --- QR labels, room signs and scanning -------------------------------------------------


def _scan_url(kind: str, token: str) -> str:
    base = current_app.config.get("BASE_URL") or request.url_root.rstrip("/")
    return f"{base.rstrip('/')}/{kind}/{token}"


def _school_for_labels() -> School:
    school = db.session.get(School, request.args.get("school", 0, type=int))
    if school is None:
        abort(404)
    if not can_edit_devices(current_user, school):
        abort(403)
    return school


@bp.route("/devices/labels.pdf")
@login_required
def labels():
    """Stickers for the chosen devices (ids=1,2,3), a room (room=A 101) or the whole school."""
    school = _school_for_labels()
    query = select(Device).where(
        Device.school_id == school.id, Device.status != DeviceStatus.RETIRED
    )
    chosen = request.args.get("ids", "").split(",") + request.args.getlist("id")
    ids = [int(i) for i in chosen if i.strip().isdigit()]
    if ids:
        query = query.where(Device.id.in_(ids))
    if request.args.get("room"):
        query = query.where(Device.room == request.args["room"])
    devices = db.session.scalars(query.order_by(Device.room, Device.inventory_number)).all()
    layout = LAYOUTS.get(request.args.get("layout", "3x8"), LAYOUTS["3x8"])
    pdf = label_sheet(
        [
            Label(
                _scan_url("d", d.token),
                d.inventory_number,
                f"{school.short_name} · {d.room}" if d.room else school.short_name,
            )
            for d in devices
        ],
        layout,
        title=_("Device labels %(school)s", school=school.short_name),
    )
    return _pdf(pdf, f"labels-{school.short_name}.pdf")


@bp.route("/devices/rooms")
@login_required
def rooms():
    school = _school_for_labels()
    room_list = db.session.scalars(
        select(Room).where(Room.school_id == school.id).order_by(Room.name)
    ).all()
    return render_template("devices/rooms.html", school=school, rooms=room_list)


@bp.route("/devices/rooms/<int:room_id>/sign.pdf")
@login_required
def room_sign_pdf(room_id: int):
    room = db.session.get(Room, room_id)
    if room is None:
        abort(404)
    if not can_edit_devices(current_user, room.school):
        abort(403)
    pdf = room_sign(
        _scan_url("r", room.token),
        room.name,
        room.school.name,
        _("Problem in this room? Scan to report."),
    )
    return _pdf(pdf, f"room-{room.school.short_name}-{room.name}.pdf")


def _pdf(data: bytes, filename: str):
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
    return current_app.response_class(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{safe}"'},
    )


@bp.route("/d/<token>")
@login_required
def scan_device(token: str):
    """A scanned device label: teachers go straight to the prefilled report form."""
    device = db.session.scalar(select(Device).where(Device.token == token))
    if device is None:
        abort(404)
    if current_user.role != "teacher":
        if not can_view_device(current_user, device):
            abort(404)
        return redirect(url_for("devices.detail", device_id=device.id))
    if not can_report_at_school(current_user, device.school_id):
        return _refused(
            _(
                "This device belongs to %(school)s, not to your school. Please report it to the "
                "IT support of that school.",
                school=device.school.name,
            )
        )
    if device.status == DeviceStatus.RETIRED:
        return _refused(
            _(
                "This device has been retired. Please report the problem without "
                "choosing a device, or tell your campus manager."
            )
        )
    return redirect(url_for("tickets.report", device=device.id, room=device.room))


@bp.route("/r/<token>")
@login_required
def scan_room(token: str):
    """A scanned room sign: the report form with school and room filled in."""
    room = db.session.scalar(select(Room).where(Room.token == token))
    if room is None:
        abort(404)
    if current_user.role != "teacher":
        return redirect(url_for("devices.index", school=room.school_id, room=room.name))
    if not can_report_at_school(current_user, room.school_id):
        return _refused(
            _(
                "This room belongs to %(school)s, not to your school. Please report it to the "
                "IT support of that school.",
                school=room.school.name,
            )
        )
    return redirect(url_for("tickets.report", room=room.name))


def _refused(message: str):
    return render_template("errors/error.html", code=403, message=message), 403


# --- CSV import ---------------------------------------------------------------------------


@bp.route("/devices/import", methods=["GET", "POST"])
@login_required
def import_devices():
    school = _school_for_labels()
    form = ImportForm()
    plan = None
    if form.validate_on_submit():
        try:
            if form.checked_file.data:  # the real run, with the file checked before
                data = base64.b64decode(form.checked_file.data.encode("ascii"), validate=True)
                done = run_import(
                    current_user,
                    school,
                    data,
                    form.create_rooms.data,
                    skip_refused=form.skip_refused.data == "1",
                )
                db.session.commit()
                flash(
                    _(
                        "Imported: %(created)d new, %(updated)d updated, %(refused)d skipped.",
                        created=done.count("create"),
                        updated=done.count("update"),
                        refused=done.count("refuse"),
                    ),
                    "success",
                )
                return redirect(url_for("devices.index", school=school.id))
            upload = request.files.get(form.file.name)
            data = upload.read(MAX_BYTES + 1) if upload else b""
            if not data:
                form.file.errors = [_("Please choose a CSV file.")]
            else:
                plan = plan_import(current_user, school, data, form.create_rooms.data)
                form.checked_file.data = base64.b64encode(data).decode("ascii")
        except (DomainError, binascii.Error) as error:
            db.session.rollback()
            if isinstance(error, DomainError):
                attach_error(form, error)
            else:
                form.form_errors.append(_("The checked file was damaged; please upload it again."))
            form.checked_file.data = ""
    return render_template("devices/import.html", form=form, school=school, plan=plan), (
        422 if form.errors else 200
    )
