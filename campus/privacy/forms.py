"""The administrators' privacy forms: retention periods, the co-determination switch, and
erasing a person (confirmed by typing the address)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from campus.models.privacy import BOUNDS


def _days(label, name: str, description):
    low, high = BOUNDS[name]
    return StringField(
        label,
        validators=[InputRequired(), Length(max=6)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "min": low, "max": high},
        description=description,
    )


class RetentionForm(FlaskForm):
    ticket_days = _days(
        _l("Anonymise closed tickets after (days)"),
        "ticket_days",
        _l("Reporter and people in the trail become their role, texts and photos go."),
    )
    photo_days = _days(
        _l("Delete photos after the ticket was closed (days)"),
        "photo_days",
        _l("0: as soon as the ticket is closed."),
    )
    user_days = _days(
        _l("Pseudonymise deactivated accounts after (days)"),
        "user_days",
        _l("Name, address, password, tokens and logins go; the figures stay."),
    )
    login_days = _days(
        _l("Keep login history, client addresses, sent mails, absences and check-ins (days)"),
        "login_days",
        _l("Also the longest a login lasts."),
    )

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in BOUNDS}


class ManagerFiguresForm(FlaskForm):
    on = BooleanField(_l("Show figures per named campus manager"))
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=2000)],
        render_kw={"rows": 3},
        description=_l(
            "Required to switch them on, for example: agreement of the staff council of "
            "1 September 2026. Kept in the audit trail, and shown on the public privacy "
            "page: please name no one."
        ),
    )


class EraseForm(FlaskForm):
    confirm = StringField(
        _l("Type the person's e-mail address to confirm"),
        validators=[InputRequired(), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
