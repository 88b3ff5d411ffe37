"""Log in, log out, change password, choose the language."""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from campus.api.tokens import create_token, revoke_token, tokens_of
from campus.auth import bp
from campus.auth.forms import ChangePasswordForm, LanguageForm, LoginForm, RevokeForm, TokenForm
from campus.auth.services import authenticate, change_password, set_locale
from campus.exceptions import DomainError, InvalidInput
from campus.extensions import db
from campus.formhelpers import attach_error
from campus.models import ApiToken, normalize_email
from campus.ratelimit import Limit, clear, locked_for, record_failure
from campus.urls import is_safe_url


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        keys = _throttle_keys(form.email.data)
        wait = max(locked_for(key, limit) for key, limit in keys)
        if wait:
            form.password.errors.append(
                _(
                    "Too many failed attempts. Please try again in %(minutes)d minutes.",
                    minutes=max(1, round(wait / 60)),
                )
            )
            return render_template("auth/login.html", form=form), 429
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.rollback()
            for key, limit in keys:
                record_failure(key, limit)
            form.password.errors.append(_("Email or password is not correct."))
        else:
            clear(keys[0][0])
            db.session.commit()
            session.clear()  # a fresh session for the fresh login
            login_user(user, remember=form.remember.data)
            target = request.args.get("next")
            return redirect(target if is_safe_url(target) else url_for("main.index"))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


def _throttle_keys(email: str) -> list[tuple[str, Limit]]:
    """Failures count per account and, more generously, per client address."""
    tries, window = (
        current_app.config["LOGIN_MAX_FAILURES"],
        current_app.config["LOGIN_WINDOW_SECONDS"],
    )
    return [
        (f"login:{normalize_email(email)}", Limit(tries, window)),
        (f"login-ip:{request.remote_addr}", Limit(tries * 5, window)),
    ]


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data)
        except InvalidInput as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error.message))
        else:
            db.session.commit()
            login_user(
                current_user._get_current_object()
            )  # keep this session; the others have ended
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.index"))
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            set_locale(current_user, form.locale.data)
            db.session.commit()
    target = request.referrer
    return redirect(target if is_safe_url(target) else url_for("main.index"))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Personal API tokens: make one (shown once), see them, revoke them."""
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            _record, new_token = create_token(current_user, current_user, form.name.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    return render_template(
        "auth/tokens.html",
        form=form,
        new_token=new_token,
        tokens=tokens_of(current_user),
        revoke=RevokeForm(),
    ), (422 if form.errors else 200)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    record = db.session.get(ApiToken, token_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    if RevokeForm().validate_on_submit():
        revoke_token(current_user, record)
        db.session.commit()
        flash(_("The token “%(name)s” no longer works.", name=record.name), "success")
    return redirect(url_for("auth.tokens"))
