"""Importing a school's inventory list (CSV): check the file first, then save it in one go."""

import base64
import binascii

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campus.devices import bp
from campus.devices.forms import ImportForm
from campus.devices.importer import MAX_BYTES, ImportPlan, plan_import, run_import
from campus.devices.inventory import school_to_edit
from campus.formhelpers import db_int, form_status
from campus.models import School
from campus.unit_of_work import work


@bp.route("/devices/import", methods=["GET", "POST"])
@login_required
def import_devices():
    school = school_to_edit(request.args.get("school", 0, type=db_int))
    form = ImportForm()
    plan = None
    if form.validate_on_submit():
        if form.checked_file.data:  # the real run, with the file checked before
            done = _run_checked_file(form, school)
            if done is not None:
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
        else:
            plan = _check_upload(form, school)
    return render_template("devices/import.html", form=form, school=school, plan=plan), form_status(
        form
    )


def _check_upload(form: ImportForm, school: School) -> ImportPlan | None:
    """The dry run of the uploaded file; it travels on to the real run in the form."""
    upload = request.files.get(form.file.name)
    data = upload.read(MAX_BYTES + 1) if upload else b""
    if not data:
        form.file.errors = [_("Please choose a CSV file.")]
        return None
    with work(form) as checked:  # saves nothing; turns a refusal into the form's error
        plan = plan_import(current_user, school, data, form.create_rooms.data)
    if not checked.ok:
        return None
    form.checked_file.data = base64.b64encode(data).decode("ascii")
    return plan


def _run_checked_file(form: ImportForm, school: School) -> ImportPlan | None:
    """Save the checked file's rows: all of them or none (see run_import)."""
    try:
        data = base64.b64decode(form.checked_file.data.encode("ascii"), validate=True)
    except (binascii.Error, ValueError):  # not base64, or not even ASCII
        form.form_errors.append(_("The checked file was damaged; please upload it again."))
        form.checked_file.data = ""
        return None
    with work(form) as imported:
        done = run_import(
            current_user,
            school,
            data,
            form.create_rooms.data,
            skip_refused=form.skip_refused.data == "1",
        )
    if not imported.ok:
        form.checked_file.data = ""
        return None
    return done
