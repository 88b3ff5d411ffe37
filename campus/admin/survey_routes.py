"""Survey rounds: an admin opens one for a period with editable wording, and reads the
results per campus and school (figures only from 5 answers on)."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from campus.admin import bp
from campus.extensions import db
from campus.formhelpers import form_status
from campus.guards import admin_required
from campus.models import Survey, SurveySeen
from campus.reports.period import today_in_berlin
from campus.surveys.forms import QUESTIONS, SurveyOpenForm
from campus.surveys.results import MIN_ANSWERS, survey_results
from campus.surveys.services import DEFAULT_QUESTIONS, open_survey
from campus.unit_of_work import work


@bp.route("/surveys", methods=["GET", "POST"])
@admin_required
def surveys():
    form = SurveyOpenForm()
    if not form.is_submitted():
        today = today_in_berlin()
        form.title.data = _("Teacher survey %(year)s", year=today.year)
        form.opens_on.data, form.closes_on.data = today, today + timedelta(days=13)
        for n, (text, low, high) in enumerate(DEFAULT_QUESTIONS):
            form[f"q{n}"].data, form[f"q{n}_low"].data = str(text), str(low)
            form[f"q{n}_high"].data = str(high)
    elif form.validate():
        questions = [
            (form[f"q{n}"].data or "", form[f"q{n}_low"].data or "", form[f"q{n}_high"].data or "")
            for n in range(QUESTIONS)
        ]
        with work(form) as opened:
            survey = open_survey(
                current_user, form.title.data, form.opens_on.data, form.closes_on.data, questions
            )
            survey_id = survey.id
        if opened.ok:
            flash(_("The survey is open; teachers see it on their start page."), "success")
            return redirect(url_for("admin.survey", survey_id=survey_id))
    seen = (
        select(SurveySeen.survey_id, func.count().label("asked"))
        .group_by(SurveySeen.survey_id)
        .subquery()
    )
    rounds = db.session.execute(
        select(Survey, func.coalesce(seen.c.asked, 0))
        .outerjoin(seen, seen.c.survey_id == Survey.id)
        .order_by(Survey.opens_on.desc(), Survey.id.desc())
    ).all()
    return render_template(
        "admin/surveys.html", form=form, rounds=rounds, questions=range(QUESTIONS)
    ), form_status(form)


@bp.route("/surveys/<int:survey_id>")
@admin_required
def survey(survey_id: int):
    found = db.session.get(Survey, survey_id)
    if found is None:
        abort(404)
    # Results only once the round is over: figures that change with each answer would
    # show what the latest teacher answered.
    running = found.closes_on >= today_in_berlin()
    return render_template(
        "admin/survey.html",
        survey=found,
        running=running,
        results=[] if running else survey_results(found),
        min_answers=MIN_ANSWERS,
    )
