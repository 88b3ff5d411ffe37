"""The administrators' holidays page: date ranges entered by hand or imported from an
iCalendar file (a dry run first shows what the file holds)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from campus.admin.forms import ConfirmForm
from campus.extensions import db
from campus.formhelpers import form_status
from campus.guards import admin_required
from campus.models import Holiday
from campus.timetable import bp
from campus.timetable.forms import HolidayForm, HolidayImportForm
from campus.timetable.holidays import add_holiday, read_calendar, remove_holiday, save_imported
from campus.timetable.plans import today
from campus.unit_of_work import work

MAX_UPLOAD = 1024 * 1024


def _page(status: int = 200, form=None, import_form=None, preview=None):
    holidays = db.session.scalars(
        select(Holiday)
        .where(Holiday.last_day >= today().replace(month=1, day=1))
        .order_by(Holiday.first_day)
    ).all()
    return render_template(
        "timetable/holidays.html",
        holidays=holidays,
        form=form or HolidayForm(prefix="holiday"),
        import_form=import_form or HolidayImportForm(prefix="ics"),
        preview=preview,
        confirm=ConfirmForm(),
    ), status


@bp.route("/timetable/holidays", methods=["GET", "POST"])
@admin_required
def holidays():
    form = HolidayForm(prefix="holiday")
    if request.method == "POST" and form.validate_on_submit():
        with work(form) as attempt:
            add_holiday(
                current_user,
                name=form.name.data,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
            )
        if attempt.ok:
            flash(_("Holidays added; the due dates follow them."), "success")
            return redirect(url_for("timetable.holidays"))
        return _page(form_status(form), form=form)
    return _page(form_status(form) if request.method == "POST" else 200, form=form)


@bp.route("/timetable/holidays/import", methods=["POST"])
@admin_required
def import_holidays():
    """A dry run lists the entries of the file; without it they are saved."""
    form = HolidayImportForm(prefix="ics")
    if not form.validate_on_submit():
        return _page(form_status(form), import_form=form)
    upload = form.calendar.data
    data = upload.read(MAX_UPLOAD + 1) if upload else b""
    confirmed = not form.dry_run.data
    with work(form) as attempt:
        entries = read_calendar(data, today())
        counts = save_imported(current_user, entries) if confirmed else None
    if not attempt.ok:
        return _page(form_status(form), import_form=form)
    if counts is not None:
        flash(
            _(
                "Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.",
                **{k: str(v) for k, v in counts.items()},
            ),
            "success",
        )
        return redirect(url_for("timetable.holidays"))
    return _page(import_form=form, preview=entries)


@bp.route("/timetable/holidays/<int:holiday_id>/delete", methods=["POST"])
@admin_required
def delete_holiday(holiday_id: int):
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None or not ConfirmForm().validate_on_submit():
        abort(404)
    with work():
        remove_holiday(current_user, holiday)
    flash(_("Holidays removed."), "success")
    return redirect(url_for("timetable.holidays"))
