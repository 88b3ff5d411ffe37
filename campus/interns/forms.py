"""Forms of the internships: setting one up, its period, its plan, reports and comments."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from campus.formhelpers import optional_int
from campus.labels import KIND_LABELS, PART_LABELS


class PeriodForm(FlaskForm):
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class InternshipForm(PeriodForm):
    display_name = StringField(_l("Name"), validators=[Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[Length(max=254)],
        description=_l("The invitation to set a password goes there."),
    )
    supervisor_id = SelectField(_l("Supervisor"), coerce=optional_int, validate_choice=False)
    submit = SubmitField(_l("Set up the internship"))


class SupervisorForm(FlaskForm):
    supervisor_id = SelectField(_l("Supervisor"), coerce=optional_int, validate_choice=False)
    submit = SubmitField(_l("Change the supervisor"))


class WeekForm(FlaskForm):
    monday = DateField(_l("Week of"), validators=[Optional()])
    submit = SubmitField(_l("Plan the standard week"))


class EntryForm(FlaskForm):
    day = DateField(_l("Day"), validators=[Optional()])
    part = SelectField(
        _l("Part of the day"),
        choices=[SelectChoice(p.value, label) for p, label in PART_LABELS.items()],
    )
    kind = SelectField(
        _l("Template"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()]
    )
    school_id = SelectField(_l("School"), coerce=optional_int, validate_choice=False)
    title = StringField(
        _l("Title"), validators=[Length(max=200)], description=_l("Empty: the template's.")
    )
    task = TextAreaField(_l("Task"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Add to the plan"))


def _one_character_line_breaks(text: str | None) -> str | None:
    """Browsers count a line break as one character for maxlength but send two."""
    return text.replace("\r\n", "\n") if text else text


class NoteForm(FlaskForm):
    text = TextAreaField(validators=[Length(max=4000)], filters=[_one_character_line_breaks])
    submit = SubmitField(_l("Save"))


class ButtonForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


class SignOffForm(FlaskForm):
    closing_note = TextAreaField(
        _l("Your words for the certificate"),
        validators=[Length(max=2000)],
        description=_l("What the intern did well, what she or he learnt (optional)."),
    )
    submit = SubmitField(_l("Sign the certificate"))
