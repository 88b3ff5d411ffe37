"""The JSON API at /api/v1, on flask-smorest: the same services, workflow and permissions
as the pages, with requests and responses declared once as marshmallow schemas.

The schemas generate the OpenAPI 3.1 document, served at /api/v1/openapi.json (no
browser UI: nothing is loaded from the internet). The modules:

- auth.py: the bearer token and the per-user request limit (every endpoint);
- errors.py: the one JSON error shape, the error handlers and the documented errors;
- shapes.py: the request schemas (query strings, bodies) and the list wrappers;
- tickets.py: tickets and their actions; reference.py: /me, devices, schools, campuses,
  the resolution report; tokens.py: making, revoking and checking tokens.

The response schemas shared with the webhooks live in campus/schemas.py.
"""

from collections.abc import Mapping

from flask import Blueprint as FlaskBlueprint
from flask import Flask, jsonify
from flask_babel import lazy_gettext as _l
from flask_smorest import Api, Blueprint
from flask_smorest.spec.plugins import FlaskPlugin
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser

from campus.extensions import csrf
from campus.schemas import ErrorSchema, WebhookMessageSchema

PREFIX = "/api/v1"
STRING = {"type": "string"}
NOT_JSON = _l("Send a JSON object (Content-Type: application/json).")
DESCRIPTION = (
    "IT-support tickets for school campuses. Authenticate with a personal token: "
    "Authorization: Bearer <token>. Every error is JSON of the one Error schema; a path "
    "answers a method it does not take with 405 and a body over the size limit with 413."
)


class Parser(FlaskParser):
    """webargs as the API wants it: 400 (not 422), and a body that is a JSON object."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req, schema):
        data = super().load_json(req, schema)
        if not isinstance(data, Mapping):  # no body, another content type, a list ...
            raise ValidationError({"body": [NOT_JSON]})
        return data

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        raise ValidationError({"body": [NOT_JSON]})


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = Parser()


class CampusApi(Api):
    """flask-smorest, with the API's own error shape and without app-wide handlers.

    flask-smorest would answer every HTTP error of the whole app in its JSON; the pages
    keep their error pages, and the API blueprint answers its own (errors.py).
    """

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # each endpoint lists the errors it returns

    def _register_error_handlers(self):
        pass

    def _register_pagination_header(self):
        pass  # lists say their page in the body, not in flask-smorest's header


class _ServerRelativePaths(FlaskPlugin):
    """Paths as the document's server (/api/v1) sees them: /tickets, not /api/v1/tickets."""

    def path_helper(self, rule, operations, parameters, **kwargs):
        path = super().path_helper(rule, operations, parameters, **kwargs)
        return path.removeprefix(PREFIX)


bp = ApiBlueprint("api", __name__, url_prefix=PREFIX, description="Campus API")
csrf.exempt(bp)  # tokens only, never cookies: there is no session to forge requests with
api = CampusApi()


def openapi():
    """The OpenAPI document, public like the API's description in the README."""
    return jsonify(api.spec.to_dict())


# A plain Flask rule: the document does not describe itself. auth.py lets it through.
FlaskBlueprint.add_url_rule(bp, "/openapi.json", "openapi", openapi)


def _webhook(name: str, attempts: int) -> dict:
    """What Campus POSTs to a webhook's URL (Administration → Webhooks)."""
    headers = {
        "X-Campus-Event": name,
        "X-Campus-Delivery": "The delivery's id (the same on a retry)",
        "X-Campus-Signature": "sha256=<HMAC-SHA256 of the body with the webhook's secret>",
    }
    return {
        "post": {
            "summary": f"Sent on {name}; without a 2xx answer retried with backoff "
            f"({attempts} attempts in all)",
            "parameters": [
                {"name": h, "in": "header", "required": True, "description": d, "schema": STRING}
                for h, d in headers.items()
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/WebhookMessage"}}
                },
            },
            "responses": {"2XX": {"description": "Received"}},
            "security": [],
        }
    }


def init_api(app: Flask) -> None:
    """Register the API and its document on `app` (called by create_app)."""
    from campus.api import auth, errors, reference, tickets  # noqa: F401 - views on bp
    from campus.outbox import MAX_ATTEMPTS
    from campus.webhooks.delivery import MESSAGES

    app.config.setdefault("API_TITLE", "Campus API")
    app.config.setdefault("API_VERSION", "1.0.0")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": DESCRIPTION},
            "servers": [{"url": PREFIX}],
            "security": [{"bearer": []}],
            "webhooks": {name: _webhook(name, MAX_ATTEMPTS) for name in MESSAGES.values()},
        },
    )
    api.init_app(app, spec_kwargs={"flask_plugin": _ServerRelativePaths()})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.schema("WebhookMessage", schema=WebhookMessageSchema)
    errors.register_responses(api.spec)
    api.register_blueprint(bp)
