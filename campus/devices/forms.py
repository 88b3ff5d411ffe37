"""The device form; the service checks the rules and reports every problem at once."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from campus.labels import DEVICE_STATUS_LABELS, DEVICE_TYPE_LABELS


class DeviceForm(FlaskForm):
    inventory_number = StringField(_l("Inventory number"), validators=[Length(max=60)])
    type = SelectField(
        _l("Kind of device"),
        choices=[SelectChoice(t.value, text) for t, text in DEVICE_TYPE_LABELS.items()],
        validate_choice=False,
    )
    model = StringField(_l("Model"), validators=[Optional(), Length(max=120)])
    serial_number = StringField(_l("Serial number"), validators=[Optional(), Length(max=100)])
    room = StringField(
        _l("Room"),
        validators=[Optional(), Length(max=60)],
        render_kw={"list": "rooms", "autocomplete": "off"},
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, text) for s, text in DEVICE_STATUS_LABELS.items()],
        validate_choice=False,
        description=_l("Retired devices keep their tickets and history."),
    )
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    file = FileField(
        _l("Inventory list (CSV)"),
        description=_l(
            "Columns by name, e.g. Inventarnummer; Typ; Modell; "
            "Seriennummer; Raum; Status; Bemerkung. Separated by ';' or "
            "',', UTF-8 or Windows-1252 (as Excel saves it)."
        ),
    )
    create_rooms = BooleanField(_l("Create rooms that are not known yet"))
    # Carries the previewed file to the real run, so it is not uploaded twice.
    checked_file = HiddenField()
    skip_refused = HiddenField()
    submit = SubmitField(_l("Check the file (nothing is saved yet)"))
