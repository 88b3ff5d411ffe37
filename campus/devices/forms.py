"""The device form; the service checks the rules and reports every problem at once."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField, TextAreaField
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
