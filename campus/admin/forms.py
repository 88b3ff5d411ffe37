"""Forms for campuses, schools and users.

The forms only bound lengths; the services check everything else (required
fields, known roles and campuses, duplicates) and report every problem at once,
each next to its field. That keeps one set of rules for pages, CLI and API.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from campus.formhelpers import optional_int
from campus.labels import CATEGORY_LABELS, ROLE_LABELS
from campus.models import Role


class CampusForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[Length(max=120)],
        description=_l("For example: Campus Dortmund-Nord"),
    )
    submit = SubmitField(_l("Save"))


class SchoolForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    short_name = StringField(
        _l("Short name"),
        validators=[Length(max=30)],
        description=_l("Printed on device labels, e.g. GSC or HHG."),
    )
    school_number = StringField(
        _l("School number"),
        validators=[Length(max=20)],
        description=_l("The official number from the school register (6 digits in NRW)."),
    )
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])
    campus_id = SelectField(_l("Campus"), coerce=optional_int, validate_choice=False)
    submit = SubmitField(_l("Save"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[Length(max=254)],
    )
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(role.value, text)
            for role, text in ROLE_LABELS.items()
            if role != Role.INTERN  # set up as internships
        ],
        validate_choice=False,
    )
    school_id = SelectField(
        _l("School"),
        coerce=optional_int,
        validate_choice=False,
        description=_l("Teachers only: the school they teach at."),
    )
    campus_ids = MultiCheckboxField(
        _l("Campuses"),
        coerce=optional_int,
        validate_choice=False,
        description=_l("Campus managers only: the campuses they look after."),
    )
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Save"))


class TeacherImportForm(FlaskForm):
    school_id = SelectField(_l("School"), coerce=optional_int, validate_choice=False)
    file = FileField(
        _l("List of teachers (CSV)"),
        description=_l(
            "Columns by name: E-Mail and Name, or E-Mail, Vorname and Nachname. Separated "
            "by ';' or ',', UTF-8 or Windows-1252 (as Excel saves it); at most 5,000 lines. "
            "Every new teacher gets an invitation by e-mail and sets their own password."
        ),
    )
    # Carries the checked file to the real run, so it is not uploaded twice.
    checked_file = HiddenField()
    skip_refused = HiddenField()
    submit = SubmitField(_l("Check the file (nothing is saved yet)"))


class ReportSettingsForm(FlaskForm):
    categories = MultiCheckboxField(
        _l("Categories level 1 cannot resolve by nature"),
        choices=[SelectChoice(c.value, text) for c, text in CATEGORY_LABELS.items()],
        validate_choice=False,
        description=_l(
            "For example broken hardware that always goes to warranty repair. These "
            "categories are left out of the net first-level resolution rate."
        ),
    )
    target = StringField(
        _l("Target first-level resolution rate (%)"),
        validators=[Length(max=10)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        description=_l(
            "A whole number from 1 to 100, drawn as a line in the monthly charts. "
            "Leave it empty for no target."
        ),
    )
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    """An empty form: CSRF protection for one-button actions."""

    submit = SubmitField(_l("Confirm"))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])


class WebhookForm(FlaskForm):
    url = StringField(
        _l("Address (URL)"),
        validators=[Length(max=500)],
        render_kw={"placeholder": "https://itsm.systemhaus.example/campus"},
    )
    campus_id = SelectField(
        _l("Messages for"),
        coerce=optional_int,
        validate_choice=False,
        description=_l(
            "Escalations and returns of one campus, or of all campuses for the "
            "system house's queue."
        ),
    )
    submit = SubmitField(_l("Add webhook"))
