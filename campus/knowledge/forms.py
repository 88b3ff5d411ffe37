"""The article form (publishing from a ticket and editing) and the retire button's form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from campus.knowledge.services import MODEL_MAX, TEXT_MAX, TITLE_MAX
from campus.labels import CATEGORY_LABELS, DEVICE_TYPE_LABELS
from campus.models import Audience

AUDIENCE_LABELS = {
    Audience.TEACHERS: _l("Teachers (and the support side)"),
    Audience.SUPPORT: _l("Support side only (campus managers and system house)"),
}


class ArticleForm(FlaskForm):
    """The service checks the rules (services._fill) and names each problem's field."""

    title = StringField(_l("Title"), validators=[Length(max=TITLE_MAX)])
    symptoms = TextAreaField(
        _l("Symptoms"), validators=[Length(max=TEXT_MAX)], render_kw={"rows": 4}
    )
    steps = TextAreaField(
        _l("Steps that solve it"), validators=[Length(max=TEXT_MAX)], render_kw={"rows": 6}
    )
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice(c.value, text) for c, text in CATEGORY_LABELS.items()],
        validate_choice=False,
    )
    device_type = SelectField(
        _l("Kind of device"),
        choices=[SelectChoice("", "–")]
        + [SelectChoice(t.value, text) for t, text in DEVICE_TYPE_LABELS.items()],
        validate_choice=False,
    )
    device_model = StringField(_l("Model"), validators=[Optional(), Length(max=MODEL_MAX)])
    audience = SelectField(
        _l("Who may use it"),
        choices=[SelectChoice(a.value, text) for a, text in AUDIENCE_LABELS.items()],
        validate_choice=False,
    )
    # The version the editor read: a save against an older one is refused.
    version = HiddenField()

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "symptoms": self.symptoms.data,
            "steps": self.steps.data,
            "category": self.category.data,
            "device_type": self.device_type.data or "",
            "device_model": self.device_model.data or "",
            "audience": self.audience.data,
        }


class ButtonForm(FlaskForm):
    """Only its CSRF token: one button (retire an article, "it helped" on a ticket)."""
