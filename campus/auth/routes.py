"""Log in, log out, change password, choose the language."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from campus.audit import audit
from campus.auth import bp, lockout
from campus.auth.forms import ChangePasswordForm, LanguageForm, LoginForm, RevokeForm, TokenForm
from campus.auth.services import change_password, check_credentials, record_login, set_locale
from campus.auth.sessions import begin_session, end_session
from campus.auth.tokens import create_token, revoke_token, tokens_of
from campus.database import reads_first
from campus.extensions import db
from campus.formhelpers import form_status
from campus.models import ApiToken, AuditAction, normalize_email
from campus.unit_of_work import work
from campus.urls import local_path


@bp.route("/login", methods=["GET", "POST"])
@reads_first
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email, address = form.email.data, request.remote_addr
        known = lockout.known_browser(email)
        wait = lockout.locked_for(email, address, known)
        if wait:
            form.password.errors.append(
                _(
                    "Too many failed attempts. Please try again in %(minutes)d minutes.",
                    minutes=max(1, round(wait / 60)),
                )
            )
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
        user = check_credentials(email, form.password.data)
        if user is not None:
            with work(form) as attempt:
                record_login(user)
                begin_session(user)
                audit(AuditAction.LOGIN, actor=user)
        if user is not None and attempt.ok:
            lockout.clear(email, address)
            session.clear()  # a fresh session for the fresh login
            login_user(user, remember=form.remember.data)
            response = redirect(local_path(request.args.get("next")) or url_for("main.index"))
            lockout.remember_browser(response, email)
            return response
        if user is None:  # unknown email or wrong password: the same answer, the same count
            lockout.record_failure(email, address)
            locked = lockout.locked_for(email, address, known)
            with work():  # the attempt is recorded; the lock once, when it begins
                audit(AuditAction.LOGIN_FAILED, actor_label=normalize_email(email))
                if locked:
                    audit(
                        AuditAction.LOCKED_OUT,
                        actor_label=normalize_email(email),
                        detail=f"{locked} s",
                    )
            form.password.errors.append(_("Email or password is not correct."))
    return render_template("auth/login.html", form=form), form_status(form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    with work():
        end_session(current_user)  # for good: a copied cookie no longer works
        audit(AuditAction.LOGOUT, actor=current_user)
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with work(form) as attempt:
            change_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                revoke_tokens=form.revoke_tokens.data,
            )
            end_session(current_user)
            begin_session(current_user)  # this browser stays logged in; the others end
            audit(
                AuditAction.PASSWORD_CHANGED,
                actor=current_user,
                detail="API tokens revoked" if form.revoke_tokens.data else "",
            )
        if attempt.ok:
            login_user(current_user._get_current_object())  # keep this session; others ended
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form), form_status(form)


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            with work():
                set_locale(current_user, form.locale.data)
    return redirect(local_path(request.referrer, this_host=True) or url_for("main.index"))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Personal API tokens: make one (shown once), see them, revoke them."""
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        with work(form) as attempt:
            _record, token = create_token(current_user, current_user, form.name.data)
        if attempt.ok:
            new_token = token  # shown this once only
            form = TokenForm(formdata=None)
    return render_template(
        "auth/tokens.html",
        form=form,
        new_token=new_token,
        tokens=tokens_of(current_user),
        revoke=RevokeForm(),
    ), form_status(form)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    record = db.session.get(ApiToken, token_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    if RevokeForm().validate_on_submit():
        with work():
            revoke_token(current_user, record)
        flash(_("The token “%(name)s” no longer works.", name=record.name), "success")
    return redirect(url_for("auth.tokens"))
