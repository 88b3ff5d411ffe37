"""The forms of the timetable pages; the rules themselves are in services.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TimeField,
)
from wtforms.validators import Length, Optional, ValidationError

from campus.formhelpers import optional_int

WEEKDAYS = (
    SelectChoice(0, _l("Monday")),
    SelectChoice(1, _l("Tuesday")),
    SelectChoice(2, _l("Wednesday")),
    SelectChoice(3, _l("Thursday")),
    SelectChoice(4, _l("Friday")),
    SelectChoice(5, _l("Saturday")),
)
REASONS = (
    SelectChoice("illness", _l("Illness")),
    SelectChoice("training", _l("Training")),
    SelectChoice("leave", _l("Leave")),
    SelectChoice("other", _l("Other")),
)
CHANGES = (
    SelectChoice("cancelled", _l("The visit does not take place")),
    SelectChoice("moved", _l("The visit moves to another day (swapped day)")),
    SelectChoice("extra", _l("An extra visit")),
)


def _day_field(label):
    return DateField(label, validators=[Optional()], render_kw={"type": "date"})


def _time_field(label):
    return TimeField(label, validators=[Optional()], render_kw={"step": 300})


class VisitForm(FlaskForm):
    school_id = SelectField(_l("School"), coerce=optional_int, validate_choice=False)
    weekday = SelectField(
        _l("Weekday"), choices=WEEKDAYS, coerce=optional_int, validate_choice=False
    )
    starts = _time_field(_l("From"))
    ends = _time_field(_l("Until"))
    submit = SubmitField(_l("Add visit"))


class AbsenceForm(FlaskForm):
    first_day = _day_field(_l("First day"))
    last_day = _day_field(_l("Last day"))
    reason = SelectField(_l("Reason"), choices=REASONS)
    substitute_id = SelectField(
        _l("Substitute"),
        coerce=optional_int,
        validate_choice=False,
        description=_l(
            "Makes the visits in these days instead; without one they do not take place."
        ),
    )
    note = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=200)],
        description=_l("Only you and the administrators see it, not the substitute."),
    )
    submit = SubmitField(_l("Enter absence"))

    def validate_substitute_id(self, field) -> None:
        if field.raw_data and field.raw_data[0] and field.data is None:
            raise ValidationError(_l("Please choose a substitute from the list."))


class ChangeForm(FlaskForm):
    kind = SelectField(_l("What changes"), choices=CHANGES)
    school_id = SelectField(_l("School"), coerce=optional_int, validate_choice=False)
    day = _day_field(_l("Day"))
    to_day = _day_field(_l("Moves to"))
    starts = _time_field(_l("From"))
    ends = _time_field(_l("Until"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save change"))


class HolidayForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    first_day = _day_field(_l("First day"))
    last_day = _day_field(_l("Last day"))
    submit = SubmitField(_l("Add holidays"))


class HolidayImportForm(FlaskForm):
    calendar = FileField(
        _l("Calendar file (.ics)"),
        description=_l(
            "For example the school holidays of North Rhine-Westphalia as published by the state."
        ),
    )
    dry_run = BooleanField(
        _l("Only check the file (dry run)"),
        default=True,
        description=_l("Lists what the file holds without saving it; untick to import."),
    )
    submit_import = SubmitField(_l("Import"))
