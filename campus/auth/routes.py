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
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from campus.audit import audit
from campus.auth import bp, lockout
from campus.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    RevokeForm,
    SetPasswordForm,
    TokenForm,
    notifications_form,
)
from campus.auth.invitations import request_reset, set_password_by_link, user_for
from campus.auth.services import (
    OutsideAccessPeriod,
    change_password,
    check_credentials,
    record_login,
    set_locale,
)
from campus.auth.sessions import begin_session, end_session
from campus.auth.tokens import create_token, revoke_token, tokens_of
from campus.database import reads_first
from campus.extensions import db, limiter
from campus.formhelpers import form_status
from campus.mail import links
from campus.models import ApiToken, AuditAction, normalize_email
from campus.reports.period import today_in_berlin
from campus.sso.providers import provider, providers
from campus.sso.settings import password_allowed, passwords_for_all
from campus.unit_of_work import work
from campus.urls import local_path

SSO_PROVIDER = "sso_provider"  # this login came through that provider (campus/sso/)
SSO_SIGNED_OUT = "sso_signed_out"  # logged out: offer that provider's end-session


@bp.route("/login", methods=["GET", "POST"])
@reads_first
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"][:254]  # after setting a password
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
            return login_page(form, status=429)[0], 429, {"Retry-After": str(wait)}
        try:
            user = check_credentials(email, form.password.data)
        except OutsideAccessPeriod as outside:
            form.password.errors.append(_outside_message(outside))
            return login_page(form, status=403)
        if user is not None and not password_allowed(user):
            user = None  # the school account only: the same answer as a wrong password
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
            form.password.errors.append(
                _("Email or password is not correct.")
                if passwords_for_all()
                else _(
                    "Email or password is not correct. Only the administration signs in with "
                    "a password here; everyone else with the school account."
                )
            )
    return login_page(form, status=form_status(form))


def _outside_message(outside: OutsideAccessPeriod) -> str:
    today = today_in_berlin()
    if outside.starts_on and outside.starts_on > today:
        return _(
            "Your internship begins on %(date)s: from then on you can log in.",
            date=format_date(outside.starts_on, "medium"),
        )
    return _(
        "Your internship ended on %(date)s: your access ended with it.",
        date=format_date(outside.ends_on or today, "medium"),
    )


def login_page(form: LoginForm | None = None, sso_error: str | None = None, status: int = 200):
    """The login page: the school account's button(s), the password form (folded away
    when only administrators use passwords), and after logging out the offer to log out
    at the school account too."""
    signed_out = provider(session.pop(SSO_SIGNED_OUT, None) or "")
    form = form or LoginForm(formdata=None)
    if providers():  # the school account's button comes first: no keyboard popping up
        form.email.render_kw = {k: v for k, v in form.email.render_kw.items() if k != "autofocus"}
    return render_template(
        "auth/login.html",
        form=form,
        providers=providers(),
        passwords_for_all=passwords_for_all(),
        sso_error=sso_error,
        signed_out=signed_out,
    ), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    with work():
        end_session(current_user)  # for good: a copied cookie no longer works
        audit(AuditAction.LOGOUT, actor=current_user)
    signed_in_with = session.get(SSO_PROVIDER)
    logout_user()
    session.clear()
    if provider(signed_in_with or "") is not None:
        session[SSO_SIGNED_OUT] = signed_in_with  # the login page offers its end-session
    else:
        flash(_("You have been logged out."), "info")
    response = redirect(url_for("auth.login"))
    # The day plan's offline copy (campus/static/sw.js) goes with the login.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


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


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    """Which mails this person gets, at once or in the digest, and when the digest comes."""
    from campus.mail.kinds import kinds_for
    from campus.mail.preferences import current_choices, save_choices

    kinds = kinds_for(current_user)
    form = notifications_form(kinds)
    if request.method == "GET":
        for key, mode in current_choices(current_user).items():
            form[key].data = mode
        form.digest_times.data = current_user.digest_times.replace(",", ", ")
    if form.validate_on_submit():
        with work(form) as attempt:
            save_choices(
                current_user,
                {kind.key: form[kind.key].data for kind in kinds},
                form.digest_times.data or "",
            )
        if attempt.ok:
            flash(_("Your choices have been saved."), "success")
            return redirect(url_for("auth.notifications"))
    return render_template("auth/notifications.html", form=form, kinds=kinds), form_status(form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def forgot_password():
    """Ask for a reset link. The answer is the same whether or not the address exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with work(form) as attempt:
            request_reset(form.email.data)
        if attempt.ok:
            flash(
                _(
                    "If an account exists for this address, a mail with a link to set a new "
                    "password is on its way. Please also look into your spam folder."
                ),
                "info",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_by_link(links.PASSWORD_RESET, token)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password_by_link(links.INVITATION, token)


def _set_password_by_link(purpose: str, token: str):
    """The page of an invitation or reset link: choose a password, then log in."""
    refused = None
    try:
        user = user_for(purpose, token)
    except links.LinkRefused as error:
        user, refused = None, "expired" if error.expired else "invalid"
    form = SetPasswordForm()
    if user is not None and form.validate_on_submit():
        with work(form) as attempt:
            set_password_by_link(purpose, token, form.password.data)
        if attempt.ok:
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is set. Please log in with it."), "success")
            return redirect(url_for("auth.login", email=user.email))
    status = form_status(form) if refused is None else (410 if refused == "expired" else 404)
    return render_template(
        "auth/set_password.html",
        form=form,
        user=user,
        refused=refused,
        invitation=purpose == links.INVITATION,
    ), status


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
