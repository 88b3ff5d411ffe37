"""The API's errors: one JSON shape, answered in one place, and listed in the document.

Every error the API returns is `{"error": {"code", "message", "fields"?}}`
(`campus.schemas.ErrorSchema`, sent by `campus.errors.json_error`):

- a refusal of the domain (`DomainError`, raised by the services and `work()`): 400
  `invalid`, 403 `forbidden`, 409 `conflict` (including `StaleVersion`);
- a request the schemas reject (webargs): 400 `invalid`, `fields` naming each field;
- every other HTTP error raised in an API view: 401, 404, 413, 429 (with Retry-After), ...

Routing errors (a path or method the API does not have) never reach the blueprint;
campus/errors.py answers them with the same `json_error`.
"""

import time
from collections.abc import Mapping

from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, default_exceptions

from campus.api import bp
from campus.errors import API_ERROR_CODES, json_error
from campus.exceptions import DomainError, FieldErrors
from campus.extensions import db, limiter
from campus.schemas import ErrorSchema

# The codes of refusals, by their HTTP status.
DOMAIN_CODES = {400: "invalid", 403: "forbidden", 404: "not_found", 409: "conflict"}

# The error responses of the OpenAPI document (components/responses), by status.
RESPONSES = {
    400: ("BadRequest", "Invalid input (code `invalid`); `fields` says what is wrong where."),
    401: ("Unauthorized", "No valid token (Authorization: Bearer …)."),
    403: ("Forbidden", "The user may not do this."),
    404: ("NotFound", "No such object, or one the user may not see."),
    405: ("MethodNotAllowed", "The path does not take this method (any path)."),
    409: (
        "Conflict",
        "The ticket's state does not allow the action now, or someone else changed the "
        "ticket in the same moment.",
    ),
    413: ("TooLarge", "The request body is too large."),
    429: (
        "TooManyRequests",
        "Too many requests from this user; the Retry-After header says how many seconds to wait.",
    ),
}


def register_responses(spec) -> None:
    """Every error the API answers, in the document, each with the one Error schema."""
    for name, description in RESPONSES.values():
        spec.components.response(
            name,
            {"description": description, "content": {"application/json": {"schema": ErrorSchema}}},
        )


def answers(*codes: int):
    """Document the errors a view really returns (401 and 429 come with every one)."""

    def decorate(view):
        for code in sorted({401, 429, *codes}, reverse=True):
            view = bp.alt_response(code, response=RESPONSES[code][0])(view)
        return view

    return decorate


# --- the schemas' errors: 400 `invalid` with the fields ------------------------------------


def field_messages(messages, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as {field: text}; nested fields get a dotted name."""
    if isinstance(messages, list | tuple):
        return {prefix or "body": " ".join(str(m) for m in messages)}
    if not isinstance(messages, Mapping):
        return {prefix or "body": str(messages)}
    flat: dict[str, str] = {}
    for name, inner in messages.items():
        name = prefix if name == "_schema" else f"{prefix}.{name}" if prefix else str(name)
        flat.update(field_messages(inner, name))
    return flat


def _rejected_fields(error: HTTPException) -> dict[str, str] | None:
    """The fields webargs rejected ({location: {field: [messages]}}), if it was webargs."""
    messages = (getattr(error, "data", None) or {}).get("messages")
    if not messages:
        return None
    flat: dict[str, str] = {}
    for per_location in messages.values():  # json, query: one location per schema
        flat.update(field_messages(per_location))
    return flat


# --- the handlers ---------------------------------------------------------------------------


@bp.errorhandler(DomainError)
def refused(error: DomainError):
    """A refusal of the domain: the one place where the API turns it into JSON."""
    if isinstance(error, FieldErrors):
        fields = error.errors
    else:
        fields = {error.field: error.message} if error.field else None
    code = DOMAIN_CODES.get(error.status_code, "server_error")
    return json_error(error.status_code, code, error.message, fields)


def http_error(error: HTTPException):
    status = error.code or 500
    headers = dict(getattr(error, "data", None) or {}).get("headers") or {}
    fields = _rejected_fields(error) if status == 400 else None
    if fields:
        return json_error(400, "invalid", next(iter(fields.values())), fields, headers)
    message = error.description if status != 500 else None
    if status == 500:
        db.session.rollback()  # as the pages do: nothing half-done survives an error
    if status == 429:
        message = _("Too many requests; please slow down.")
        headers = {**headers, "Retry-After": str(_retry_after())}
    if status == 401:
        headers = {**headers, "WWW-Authenticate": 'Bearer realm="campus"'}
    code = API_ERROR_CODES.get(status, "error")
    return json_error(status, code, message or _("Something went wrong."), None, headers)


def _retry_after() -> int:
    """Seconds until the user's window of requests starts again."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))


# Code-specific handlers win over class handlers (and the app's pages have their own for
# several codes): register this one for every code, and for HTTPException as a whole.
for _code in default_exceptions:
    bp.register_error_handler(_code, http_error)
bp.register_error_handler(HTTPException, http_error)
