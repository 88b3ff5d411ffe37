"""Forms of the sign-in with the school's account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class LinkForm(FlaskForm):
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
