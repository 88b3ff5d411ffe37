"""The teacher's side of a survey: answered or skipped from her start page, once."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campus.extensions import db
from campus.formhelpers import db_int
from campus.models import Survey
from campus.models.survey import SCALE
from campus.reports.period import today_in_berlin
from campus.surveys.forms import SurveyForm
from campus.surveys.services import answer_survey, skip_survey
from campus.unit_of_work import work

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


def _values(survey: Survey) -> dict[int, int | None]:
    """The scale value she tapped for each question (None: left out; odd input: None)."""
    values = {}
    for question in survey.questions:
        value = request.form.get(f"q{question.id}", type=db_int)
        values[question.id] = value if value in SCALE else None
    return values


@bp.route("/<int:survey_id>", methods=["POST"])
@login_required
def answer(survey_id: int):
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        abort(404)
    form = SurveyForm()
    if not form.validate_on_submit():
        abort(400)
    skipping = "skip" in request.form
    values = {} if skipping else _values(survey)
    if not skipping and not any(v is not None for v in values.values()):
        flash(_("Please tap one answer per question, or skip the survey."), "warning")
        return redirect(url_for("tickets.mine", _anchor="survey"))
    today = today_in_berlin()
    with work(form) as done:
        if skipping:
            skip_survey(current_user, survey, today)
        else:
            answer_survey(current_user, survey, values, today)
    if done.ok:
        flash(
            _("Thank you!") if not skipping else _("The survey will not be shown again."), "success"
        )
    else:
        flash(done.error.message, "warning")
    return redirect(url_for("tickets.mine"))
