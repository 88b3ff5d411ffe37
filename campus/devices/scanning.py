"""QR labels and room signs, and where a scan of them leads."""

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from campus.devices import bp
from campus.devices.inventory import school_to_edit
from campus.devices.labels import LAYOUTS, Label, label_sheet, room_sign
from campus.extensions import db
from campus.formhelpers import db_int
from campus.models import Device, DeviceStatus, Room
from campus.permissions import (
    can_edit_devices,
    can_report_at_school,
    can_view_device,
    reports_problems,
)


def _scan_url(kind: str, token: str) -> str:
    base = current_app.config.get("BASE_URL") or request.url_root.rstrip("/")
    return f"{base.rstrip('/')}/{kind}/{token}"


def _pdf(data: bytes, filename: str):
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
    return current_app.response_class(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{safe}"'},
    )


@bp.route("/devices/labels.pdf")
@login_required
def labels():
    """Stickers for the chosen devices (ids=1,2,3), a room (room=A 101) or the whole school."""
    school = school_to_edit(request.args.get("school", 0, type=db_int))
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
    school = school_to_edit(request.args.get("school", 0, type=db_int))
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


# --- scans: /d/<token> and /r/<token> are what the QR codes encode --------------------------


@bp.route("/d/<token>")
@login_required
def scan_device(token: str):
    """A scanned device label: teachers go straight to the prefilled report form."""
    device = db.session.scalar(select(Device).where(Device.token == token))
    if device is None:
        abort(404)
    if not reports_problems(current_user):
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
    if not reports_problems(current_user):
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
