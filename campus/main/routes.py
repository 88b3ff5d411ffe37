"""The start page each role lands on after login."""

from flask import redirect, url_for
from flask_login import current_user

from campus.auth.forms import LanguageForm
from campus.main import bp
from campus.models import Role
from campus.permissions import can_report, is_admin


@bp.route("/")
def index():
    # No "please log in" notice for the plain address: just show the login page.
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if is_admin(current_user):
        return redirect(url_for("admin.overview"))
    if can_report(current_user) or current_user.role == Role.TEACHER:
        return redirect(url_for("tickets.mine"))
    return redirect(url_for("tickets.queue"))


@bp.app_context_processor
def language_form():
    return {"language_form": LanguageForm}


@bp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)
