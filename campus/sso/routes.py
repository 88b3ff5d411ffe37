"""Signing in with the school's account: to the provider and back (authorisation code with
PKCE, `state` and `nonce`; Authlib checks the ID token's signature and claims), linking an
account from the profile page, and the provider's end-session page after logging out."""

import logging
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from joserfc.errors import JoseError
from sqlalchemy.exc import IntegrityError

from campus import CSP
from campus.audit import audit
from campus.auth.invitations import is_invited
from campus.auth.routes import SSO_PROVIDER, login_page
from campus.auth.services import record_login
from campus.auth.sessions import begin_session
from campus.extensions import csrf, limiter
from campus.models import AuditAction
from campus.sso import bp
from campus.sso.accounts import link_account, sign_in
from campus.sso.errors import ProviderUnavailable, SignInRefused
from campus.sso.forms import LinkForm
from campus.sso.links import links_of
from campus.sso.providers import Provider, client, metadata, provider, providers
from campus.unit_of_work import work
from campus.urls import external_url, local_path

log = logging.getLogger(__name__)
LINK_FOR = "sso_link_for"  # the account that asked to be linked (its id)
NEXT = "sso_next"


def _provider(name: str) -> Provider:
    found = provider(name)
    if found is None:
        abort(404)
    return found


def _unavailable(found: Provider, error: Exception):
    log.warning("sign-in provider %s unavailable: %s", found.name, error)
    message = _(
        "The sign-in with your school account (%(provider)s) cannot be reached just now. "
        "Please try again in a few minutes.",
        provider=found.label,
    )
    return _back(message, 503)


def _back(message: str, status: int):
    """Back where the person came from, with the reason: the profile page when linking,
    the login page otherwise."""
    if session.pop(LINK_FOR, None) is not None and current_user.is_authenticated:
        flash(message, "danger")
        return redirect(url_for("sso.profile"))
    return login_page(sso_error=message, status=status)


def _to_provider(found: Provider, **extra):
    try:
        metadata(found.name)
        return client(found.name).authorize_redirect(
            external_url("sso.callback", name=found.name),
            ui_locales=str(get_locale() or "de"),
            **extra,
        )
    except ProviderUnavailable as error:
        return _unavailable(found, error)


@bp.route("/<name>")
@limiter.limit("30 per minute")
def start(name: str):
    """To the provider's sign-in page."""
    found = _provider(name)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    session.pop(LINK_FOR, None)
    session[NEXT] = local_path(request.args.get("next"))
    return _to_provider(found)


@bp.route("/<name>/link", methods=["POST"])
@login_required
@limiter.limit("10 per minute")
def link(name: str):
    """Link the signed-in account with the school account (from the profile page)."""
    found = _provider(name)
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    if is_invited(current_user):  # no password to confirm with
        flash(
            _(
                "Your account has no password to confirm the link with. "
                "Please ask the administration."
            ),
            "danger",
        )
        return redirect(url_for("sso.profile"))
    if not current_user.check_password(form.password.data or ""):
        flash(_("The password is not correct: nothing was linked."), "danger")
        return redirect(url_for("sso.profile"))
    session[LINK_FOR] = current_user.id
    return _to_provider(found, prompt="login")  # the school account's owner signs in anew


def _token(found: Provider) -> dict:
    """The provider's answer for this browser's sign-in, checked; or why not."""
    if request.args.get("error"):
        reason = "".join(c for c in request.args["error"][:40] if c.isalnum() or c == "_")
        raise SignInRefused(_("The sign-in was cancelled at your school account."), reason)
    try:
        issuer = metadata(found.name)["issuer"]
        # Authlib checks iss only by default: the audience must be Campus too.
        token = client(found.name).authorize_access_token(
            claims_options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": found.client_id},
            }
        )
    except MismatchingStateError as error:
        raise SignInRefused(
            _("This sign-in has expired or was already used. Please start again."), "state"
        ) from error
    except OAuthError as error:
        raise SignInRefused(
            _("Your school account refused the sign-in. Please start again."),
            str(error.error or "refused")[:40],
        ) from error
    except JoseError as error:
        raise SignInRefused(
            _("The answer of your school account could not be verified. Nothing was changed."),
            f"id token: {error.error}"[:60],
        ) from error
    except (requests.RequestException, ValueError) as error:  # ValueError: not JSON
        raise ProviderUnavailable(type(error).__name__) from error
    if not token.get("userinfo"):
        raise SignInRefused(
            _("The answer of your school account could not be verified. Nothing was changed."),
            "no id token",
        )
    return token


@bp.route("/<name>/callback")
@csrf.exempt
def callback(name: str):
    """The provider sends the browser back here with a code; `state` ties it to this
    browser's session, and the code works once."""
    found = _provider(name)
    try:
        token = _token(found)
    except ProviderUnavailable as error:
        return _unavailable(found, error)
    except SignInRefused as refusal:
        log.info("sign-in with %s refused: %s", found.name, refusal.reason)
        return _back(refusal.message, 403)
    claims, refresh = token["userinfo"], token.get("refresh_token")
    linking = session.pop(LINK_FOR, None)
    if linking is not None:
        return _linked(found, linking, claims, refresh)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    try:
        attempt, outcome = _sign_in(found, claims, refresh)
    except IntegrityError:
        # The same person's first sign-in in another tab linked her a moment ago: the
        # second one finds her link now.
        attempt, outcome = _sign_in(found, claims, refresh)
    if not attempt.ok or outcome.user is None:
        if outcome.refusal is not None:
            log.info("sign-in with %s refused: %s", found.name, outcome.refusal.reason)
        message = outcome.refusal.message if outcome.refusal else str(attempt.error)
        return login_page(sso_error=message, status=403)
    target = session.get(NEXT)
    session.clear()  # a fresh session for the fresh login
    login_user(outcome.user)
    session[SSO_PROVIDER] = found.name
    return redirect(local_path(target) or url_for("main.index"))


def _sign_in(found: Provider, claims, refresh):
    with work() as attempt:
        outcome = sign_in(found, claims, refresh)
        if outcome.user is not None:
            record_login(outcome.user)
            begin_session(outcome.user)
            audit(AuditAction.LOGIN, actor=outcome.user, detail=f"sso:{found.name}")
        else:
            audit(
                AuditAction.LOGIN_FAILED,
                actor_label=f"sso:{found.name}",
                detail=outcome.refusal.reason,
            )
    return attempt, outcome


def _linked(found: Provider, user_id: int, claims, refresh):
    if not current_user.is_authenticated or current_user.id != user_id:
        return login_page(
            sso_error=_("This sign-in has expired or was already used. Please start again."),
            status=403,
        )
    try:
        with work():
            link_account(found, current_user, claims, refresh)
    except SignInRefused as refusal:
        flash(refusal.message, "danger")
    except IntegrityError:  # linked in another tab at the same moment
        flash(_("This school account is already linked with another Campus account."), "danger")
    else:
        flash(_("Your account is linked with your school account."), "success")
    return redirect(url_for("sso.profile"))


@bp.route("/<name>/logout")
def end_session(name: str):
    """To the provider's end-session page (offered after logging out of Campus)."""
    found = _provider(name)
    try:
        endpoint = metadata(found.name).get("end_session_endpoint")
    except ProviderUnavailable as error:
        return _unavailable(found, error)
    if not endpoint:
        abort(404)
    return client(found.name).logout_redirect(
        post_logout_redirect_uri=external_url("auth.login"), client_id=found.client_id
    )


@bp.route("/account")
@login_required
def profile():
    """The person's school accounts: which are linked, since when; link one."""
    response = make_response(
        render_template(
            "sso/profile.html",
            providers=providers(),
            links=links_of(current_user),
            form=LinkForm(),
        )
    )
    # Linking is a form sent here and redirected on to the provider: the browser checks
    # that redirect against this page's form-action, so the providers are named there.
    origins = " ".join(sorted({_origin(p) for p in providers()}))
    response.headers["Content-Security-Policy"] = CSP.replace(
        "form-action 'self'", f"form-action 'self' {origins}".rstrip()
    )
    return response


def _origin(found: Provider) -> str:
    try:
        address = metadata(found.name).get("authorization_endpoint") or found.issuer
    except ProviderUnavailable:
        address = found.issuer
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"
