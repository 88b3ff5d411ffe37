"""Privacy for administrators: the retention periods with a dry run and the last run, the
co-determination switch, and erasing a person on request."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campus.admin import bp
from campus.admin.forms import ConfirmForm
from campus.extensions import db
from campus.formhelpers import form_status
from campus.guards import admin_required
from campus.models import User, normalize_email
from campus.privacy.erase import erase_person
from campus.privacy.forms import EraseForm, ManagerFiguresForm, RetentionForm
from campus.privacy.retention import last_run, run_retention
from campus.privacy.settings import privacy_settings, save_retention, set_manager_figures
from campus.unit_of_work import work


def _page(retention=None, figures=None, dry=None, status=200):
    settings = privacy_settings()
    if retention is None:
        retention = RetentionForm(formdata=None, obj=settings)
    if figures is None:
        figures = ManagerFiguresForm(formdata=None, on=settings.manager_figures)
    when, summary = last_run()
    return render_template(
        "admin/privacy.html",
        settings=settings,
        retention=retention,
        figures=figures,
        dry=dry,
        confirm=ConfirmForm(),
        last_at=when,
        last=summary,
    ), status


@bp.route("/privacy")
@admin_required
def privacy():
    return _page()


@bp.route("/privacy/retention", methods=["POST"])
@admin_required
def privacy_retention():
    form = RetentionForm()
    if form.validate_on_submit():
        with work(form) as attempt:
            save_retention(current_user, **form.values())
        if attempt.ok:
            flash(_("Retention periods saved."), "success")
            return redirect(url_for("admin.privacy"))
    return _page(retention=form, status=form_status(form))


@bp.route("/privacy/manager-figures", methods=["POST"])
@admin_required
def privacy_manager_figures():
    form = ManagerFiguresForm()
    if form.validate_on_submit():
        with work(form) as attempt:
            set_manager_figures(current_user, form.on.data, form.reason.data or "")
        if attempt.ok:
            if form.on.data:
                flash(_("Figures per campus manager are switched on."), "success")
            else:
                flash(_("Figures per campus manager are switched off."), "success")
            return redirect(url_for("admin.privacy"))
    return _page(figures=form, status=form_status(form))


@bp.route("/privacy/dry-run", methods=["POST"])
@admin_required
def privacy_dry_run():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    done = run_retention(current_app.config["UPLOAD_FOLDER"], dry_run=True)
    return _page(dry=done)


@bp.route("/users/<int:user_id>/erase", methods=["GET", "POST"])
@admin_required
def erase_user(user_id: int):
    person = db.get_or_404(User, user_id)
    form = EraseForm()
    if form.validate_on_submit():
        if normalize_email(form.confirm.data or "") != person.email:
            form.confirm.errors = [_("That is not this person's e-mail address.")]
        else:
            upload_folder = current_app.config["UPLOAD_FOLDER"]
            with work(form) as attempt:
                count = erase_person(current_user, person, upload_folder)
            if attempt.ok:
                flash(
                    _(
                        "The person was erased: %(n)s ticket(s) anonymised, the account "
                        "pseudonymised. Every figure stays.",
                        n=count,
                    ),
                    "success",
                )
                return redirect(url_for("admin.users"))
    return render_template("admin/erase.html", person=person, form=form), form_status(form)
