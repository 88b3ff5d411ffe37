"""Error pages that show no internals, and the mapping of domain exceptions to HTTP."""

from flask import Flask, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc
from werkzeug.exceptions import InternalServerError

from campus.exceptions import DomainError
from campus.schemas import error_body
from campus.urls import local_path


def register_error_handlers(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _render_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DomainError, _domain_error)
    for kind in (exc.OperationalError, exc.InterfaceError, exc.TimeoutError):
        app.register_error_handler(kind, _database_error)


API_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}
RETRY_AFTER_SECONDS = 30


def json_error(status: int, code: str, message, fields=None, headers=None):
    """The one JSON error shape (campus.schemas.ErrorSchema): the API's, and that of the
    pages' JSON exports. `fields` maps each field to what is wrong with it."""
    response = jsonify(error_body(code, message, fields))
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _render_error(error):
    code = getattr(error, "code", 500) or 500
    if code == 500:
        from campus.extensions import db

        db.session.rollback()
    if request.path.startswith("/api/"):
        # The API always answers in JSON, never with an HTML page or a stack trace: here
        # for paths and methods it does not have (the API blueprint answers the rest).
        message = getattr(error, "description", None) if code != 500 else None
        return json_error(
            code, API_ERROR_CODES.get(code, "error"), message or _("Something went wrong.")
        )
    return render_template("errors/error.html", code=code), code


def _database_error(error):
    """The database is away (restarting, unreachable, out of connections): 503 with a
    "try again" page or JSON error, never a stack trace; nothing was saved, as the unit of
    work rolled back. Any other database error is a 500 like every unexpected one."""
    from flask import current_app, g
    from flask_login import AnonymousUserMixin

    from campus.database import unavailable
    from campus.extensions import db

    try:
        db.session.rollback()
    except exc.SQLAlchemyError:
        db.session.close()
    if not unavailable(error):
        current_app.logger.error("database error", exc_info=error)
        return _render_error(InternalServerError())
    current_app.logger.warning("database unavailable: %s", type(error.orig or error).__name__)
    g._login_user = AnonymousUserMixin()  # the page must not ask the database who you are
    message = _("Campus cannot reach its database just now; nothing was saved. Please try again.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):
        return json_error(503, "unavailable", message, headers=headers)
    return render_template("errors/error.html", code=503), 503, headers


def _csrf_error(_error):
    # Most often an expired form after a long pause: say so and let the user retry.
    return (
        render_template(
            "errors/error.html",
            code=400,
            message=_(
                "The form has expired or was not sent from this site. "
                "Please reload the page and try again."
            ),
        ),
        400,
    )


def _domain_error(error: DomainError):
    """A refused action that a route did not handle itself: say why, change nothing."""
    from campus.extensions import db

    db.session.rollback()
    back = local_path(request.referrer, this_host=True)
    if request.method == "POST" and back:
        flash(error.message, "danger")
        return redirect(back)
    return render_template(
        "errors/error.html", code=error.status_code, message=error.message
    ), error.status_code
