"""Login and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Please enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Stay logged in on this device"))
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Please enter a new password.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    revoke_tokens = BooleanField(
        _l("Also revoke my API tokens (scripts and tools then need new ones)"), default=True
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[
            DataRequired(_l("Please repeat the new password.")),
            EqualTo("new_password", _l("The two passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class LanguageForm(FlaskForm):
    locale = SelectField(choices=[SelectChoice("de", "Deutsch"), SelectChoice("en", "English")])
    submit = SubmitField(_l("Switch language"))


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[Length(max=80)],
        description=_l("What the token is for, e.g. “ITSM-Abgleich” or “Dashboard Schulamt”."),
    )
    submit = SubmitField(_l("Create token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))


def notifications_form(kinds):
    """One choice per kind of notification this person can get, and the digest times."""
    labels = {
        "now": _l("At once"),
        "digest": _l("In the digest"),
        "off": _l("No mail"),
    }

    class NotificationsForm(FlaskForm):
        digest_times = StringField(
            _l("Digest times"),
            description=_l("Times of day, e.g. 07:00, 13:00. Only days with news bring a mail."),
            render_kw={"inputmode": "numeric", "autocomplete": "off"},
        )

    for kind in kinds:
        modes = ("now", "digest", "off") if kind.digest else ("now", "off")
        setattr(
            NotificationsForm,
            kind.key,
            RadioField(
                kind.label,
                choices=[SelectChoice(mode, labels[mode]) for mode in modes],
                validate_choice=False,
            ),
        )
    return NotificationsForm()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Please enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "email", "autofocus": True},
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Please enter a password.")), Length(max=200)],
        description=_l("At least 10 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Please repeat the password.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
