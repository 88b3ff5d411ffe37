"""Bringing people in (administrators only): importing the teachers of one school (CSV:
check the file first, then create and invite them in one go; the rules are in
campus/admin/teacher_import.py), and sending an invitation once more."""

import base64
import binascii

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from campus.admin import bp
from campus.admin.forms import ConfirmForm, TeacherImportForm
from campus.admin.services import resend_invitation
from campus.admin.teacher_import import (
    CREATE,
    EXISTS,
    MAX_BYTES,
    REFUSE,
    ImportPlan,
    plan_import,
    run_import,
)
from campus.extensions import db
from campus.formhelpers import db_int, form_status
from campus.guards import admin_required
from campus.models import Campus, School, User
from campus.unit_of_work import work


@bp.route("/users/import", methods=["GET", "POST"])
@admin_required
def import_teachers():
    form = TeacherImportForm()
    form.school_id.choices = _school_choices()
    if request.method == "GET":
        form.school_id.data = request.args.get("school", type=db_int)
    plan = None
    if form.validate_on_submit():
        if form.checked_file.data:  # the real run, with the file checked before
            done = _run_checked_file(form)
            if done is not None:
                flash(
                    _(
                        "Imported into %(school)s: %(created)d teachers invited, %(existing)d "
                        "already had an account, %(refused)d lines skipped.",
                        school=done.school.name,
                        created=done.count(CREATE),
                        existing=done.count(EXISTS),
                        refused=done.count(REFUSE),
                    ),
                    "success",
                )
                return redirect(url_for("admin.users", role="teacher"))
        else:
            plan = _check_upload(form)
    return render_template("admin/import_teachers.html", form=form, plan=plan), form_status(form)


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@admin_required
def resend_user_invitation(user_id: int):
    """Send the invitation once more (the mail got lost, the link expired)."""
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with work(form) as attempt:
            resend_invitation(current_user, user)
        if attempt.ok:
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
        else:  # joined already, or deactivated: said politely, nothing sent
            flash(attempt.error.message, "warning")
    return redirect(url_for("admin.users"))


def _school_choices() -> list[SelectChoice]:
    schools = db.session.execute(
        db.select(School.id, School.name, Campus.name)
        .join(School.campus)
        .order_by(Campus.name, School.name)
    ).all()
    return [SelectChoice("", _("– choose a school –"))] + [
        SelectChoice(sid, f"{name} ({campus})") for sid, name, campus in schools
    ]


def _check_upload(form: TeacherImportForm) -> ImportPlan | None:
    """The dry run of the uploaded file; it travels on to the real run in the form."""
    upload = request.files.get(form.file.name)
    if upload is None or not upload.filename:
        form.file.errors = [_("Please choose a CSV file.")]
        return None
    data = upload.read(MAX_BYTES + 1)
    with work(form) as checked:  # saves nothing; turns a refusal into the form's error
        plan = plan_import(current_user, form.school_id.data, data)
    if not checked.ok:
        return None
    form.checked_file.data = base64.b64encode(data).decode("ascii")
    return plan


def _run_checked_file(form: TeacherImportForm) -> ImportPlan | None:
    """Create and invite the checked file's teachers: all of them or none (run_import)."""
    try:
        data = base64.b64decode(form.checked_file.data.encode("ascii"), validate=True)
    except (binascii.Error, ValueError):  # not base64, or not even ASCII
        form.form_errors.append(_("The checked file was damaged; please upload it again."))
        form.checked_file.data = ""
        return None
    with work(form) as imported:
        done = run_import(
            current_user,
            form.school_id.data,
            data,
            skip_refused=form.skip_refused.data == "1",
        )
    if not imported.ok:
        form.checked_file.data = ""
        return None
    return done
