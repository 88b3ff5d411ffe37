"""Forms of the sign-in with the school's account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SubmitField
from wtforms.validators import Length


class LinkForm(FlaskForm):
    """Linking asks for the Campus password: a borrowed session must not be enough to
    make someone else's school account sign in as this person."""

    password = PasswordField(
        _l("Your Campus password"),
        validators=[Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Link with school account"))


class PasswordsForm(FlaskForm):
    """Administrators only, or everyone: who may sign in with a password."""

    for_all = BooleanField(
        _l("Everyone may also sign in with a password"),
        description=_l(
            "Off: only administrators sign in with a password; everyone else with the "
            "school account."
        ),
    )
    submit = SubmitField(_l("Save"))


class UnlinkForm(FlaskForm):
    submit = SubmitField(_l("Unlink"))
