"""Single sign-on with the school's account: OpenID Connect (issue 18)."""

from flask import Blueprint

bp = Blueprint("sso", __name__, url_prefix="/login/sso")
