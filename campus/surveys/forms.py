"""The survey forms: an admin opens a round (title, period, up to three questions with the
words at both ends of the scale); a teacher answers one (CSRF only)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length, Optional

QUESTIONS = 3


def _date(label):
    return DateField(label, validators=[InputRequired()], render_kw={"type": "date"})


class SurveyOpenForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    opens_on = _date(_l("First day"))
    closes_on = _date(_l("Last day"))


for _n in range(QUESTIONS):
    setattr(
        SurveyOpenForm,
        f"q{_n}",
        StringField(_l("Question %(n)s", n=_n + 1), validators=[Optional(), Length(max=300)]),
    )
    setattr(
        SurveyOpenForm,
        f"q{_n}_low",
        StringField(_l("1 means"), validators=[Optional(), Length(max=60)]),
    )
    setattr(
        SurveyOpenForm,
        f"q{_n}_high",
        StringField(_l("5 means"), validators=[Optional(), Length(max=60)]),
    )


class SurveyForm(FlaskForm):
    """CSRF only: the questions are read from the survey itself."""
