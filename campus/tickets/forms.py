"""Forms for reporting a problem, the workflow actions and the queue filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from campus.formhelpers import optional_int
from campus.labels import CATEGORY_LABELS, IMPACT_LABELS


class SelfHelpForm(FlaskForm):
    """ "Das hat geholfen" under a suggested article: the report form's one-time key."""

    key = HiddenField()
    article_id = HiddenField()


class ReportForm(FlaskForm):
    """Everything a teacher fills in between two lessons; the service checks the rules."""

    category = RadioField(
        _l("What is affected?"),
        choices=[SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()],
        validate_choice=False,
    )
    impact = RadioField(
        _l("How bad is it?"),
        choices=[SelectChoice(i.value, label) for i, label in IMPACT_LABELS.items()],
        validate_choice=False,
    )
    room = StringField(
        _l("Room"),
        validators=[Optional(), Length(max=60)],
        render_kw={"autocomplete": "off", "list": "rooms"},
    )
    device_id = SelectField(
        _l("Device"),
        coerce=optional_int,
        validate_choice=False,
        description=_l("The inventory number is on the sticker. Not listed? Leave it open."),
    )
    title = StringField(
        _l("Title"),
        validators=[Length(max=200)],
        render_kw={"placeholder": _l("e.g. Projector shows no picture"), "maxlength": 200},
    )
    description = TextAreaField(
        _l("What happens?"),
        validators=[Length(max=10_000)],
        render_kw={"rows": 4, "placeholder": _l("What did you try to do, what happened instead?")},
    )
    photos = MultipleFileField(
        _l("Photos (optional)"),
        description=_l("Up to 3 photos, JPEG, PNG or WebP, at most 10 MB each."),
        render_kw={
            "accept": "image/jpeg,image/png,image/webp",
            "multiple": True,
            "data-max-files": 3,
            "data-max-bytes": 10 * 1024 * 1024,
        },
    )
    submit = SubmitField(_l("Send report"))


class TextForm(FlaskForm):
    text = TextAreaField(_l("Text"), validators=[Length(max=10_000)], render_kw={"rows": 3})
    submit = SubmitField(_l("Send"))


class ResolveForm(TextForm):
    l1_capable = BooleanField(_l("Level 1 could have solved this"))


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Assign to"), coerce=optional_int, validate_choice=False)
    submit = SubmitField(_l("Assign"))


class EscalateForm(FlaskForm):
    symptoms = TextAreaField(_l("Symptoms"), validators=[Length(max=10_000)], render_kw={"rows": 3})
    steps_tried = TextAreaField(
        _l("What was already tried"), validators=[Length(max=10_000)], render_kw={"rows": 3}
    )
    device_data = TextAreaField(
        _l("Device data"),
        validators=[Length(max=10_000)],
        render_kw={"rows": 3},
        description=_l("Model, serial number, operating system, network."),
    )
    reproduce = TextAreaField(
        _l("How to reproduce"), validators=[Length(max=10_000)], render_kw={"rows": 3}
    )
    submit = SubmitField(_l("Escalate to the system house"))


class ConfirmActionForm(FlaskForm):
    """A one-button action (claim, confirm) with CSRF protection."""

    submit = SubmitField(_l("Confirm"))


class ApproveForm(ConfirmActionForm):
    """Approving an intern's proposal names the proposal the page showed (its event)."""

    proposal = HiddenField(filters=[optional_int])


class FeedbackForm(FlaskForm):
    """Thumbs up or down (the two buttons carry `rating`), and an optional comment."""

    rating = RadioField(
        _l("How did the solution work for you?"),
        choices=[SelectChoice("up", _l("Good")), SelectChoice("down", _l("Not good"))],
        validators=[InputRequired(message=_l("Please choose thumbs up or thumbs down."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"), validators=[Length(max=2000)], render_kw={"rows": 2}
    )
