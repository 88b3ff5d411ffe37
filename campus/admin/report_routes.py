"""The administrators' start page (the figures a school board opens Campus for) and the
report settings (categories left out of the net rate, the target rate)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campus.admin import bp
from campus.admin.forms import ReportSettingsForm
from campus.admin.services import set_l1_unresolvable_categories
from campus.formhelpers import form_status
from campus.guards import admin_required
from campus.models import utcnow
from campus.permissions import report_campus_ids
from campus.reports.facts import excluded_categories
from campus.reports.overview import AGE_BANDS, OLDEST_BAND
from campus.reports.start import start_page
from campus.reports.sums import Scope
from campus.reports.targets import flr_target_percent, set_flr_target
from campus.unit_of_work import work


@bp.route("/")
@admin_required
def overview():
    scope = Scope(report_campus_ids(current_user))
    return render_template(
        "admin/overview.html",
        start=start_page(scope, utcnow()),
        bands=[name for _days, name in AGE_BANDS] + [OLDEST_BAND],
    )


@bp.route("/report-settings", methods=["GET", "POST"])
@admin_required
def report_settings():
    form = ReportSettingsForm()
    excluded = set(excluded_categories())
    if request.method == "GET":
        form.categories.data = sorted(excluded)
        target = flr_target_percent()
        form.target.data = "" if target is None else str(target)
    if form.validate_on_submit():
        # Only the categories change figures (rebuilt by a job); the target is a line.
        rebuild = set(form.categories.data or []) != excluded
        with work(form) as attempt:
            set_flr_target(current_user, form.target.data)
            if rebuild:
                set_l1_unresolvable_categories(current_user, form.categories.data or [])
        if attempt.ok:
            if rebuild:
                flash(
                    _(
                        "Report settings saved. The figures are being recalculated; "
                        "this can take a minute for many tickets."
                    ),
                    "success",
                )
            else:
                flash(_("Report settings saved."), "success")
            return redirect(url_for("admin.report_settings"))
    return render_template("admin/report_settings.html", form=form), form_status(form)
