"""JSON shapes shared by the API and the webhooks, declared once with marshmallow.

A lower module: it knows the models and their enums, nothing of the API, the pages or
the services. The API (campus/api/) dumps its responses with these schemas and
generates its OpenAPI document from them; webhook messages (campus/webhooks/delivery.py)
are dumped with `WebhookMessageSchema`; every JSON error, the API's and the pages'
JSON exports', has the one shape of `ErrorSchema` (built by `error_body`).

Timestamps are ISO 8601 with their UTC offset (`datetime.isoformat()` of aware
datetimes); a value that may be missing is declared `allow_none` and comes out as null
(and as `"type": [..., "null"]` in the OpenAPI 3.1 document). Every key is always
present, so every field is `required` in the document.
"""

from collections.abc import Mapping
from datetime import datetime

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields
from marshmallow.validate import OneOf

from campus.models import Category, Impact, TicketStatus

# --- fields that read JSON, with translated messages ------------------------------------

WHOLE_NUMBER = _l("Must be a whole number.")


class Translated:
    """Error messages translated when they are raised: declared lazily (`_l`) here, they
    would otherwise reach marshmallow as lazy objects instead of text."""

    def make_error(self, key: str, **kwargs) -> ValidationError:
        return ValidationError(str(self.error_messages[key]).format(**kwargs))


class Text(Translated, fields.String):
    default_error_messages = {"invalid": _l("Must be text.")}


class Number(Translated, fields.Integer):
    pass


# --- what Campus sends -------------------------------------------------------------------


class Shape(Schema):
    """A JSON shape Campus sends; receivers should ignore keys added in later versions, so
    the document does not forbid other properties."""

    class Meta:
        unknown = EXCLUDE


def _int(**kwargs) -> fields.Integer:
    return fields.Integer(required=True, **kwargs)


def _str(**kwargs) -> fields.String:
    return fields.String(required=True, **kwargs)


def _time(**kwargs) -> fields.DateTime:
    return fields.DateTime(format="iso", required=True, **kwargs)


def _nullable_int(**kwargs) -> fields.Integer:
    return fields.Integer(required=True, allow_none=True, **kwargs)


class TicketSchema(Shape):
    id = _int()
    number = _int(metadata={"description": "The number people quote (#42)."})
    status = _str(validate=OneOf([s.value for s in TicketStatus]))
    level = _int(validate=OneOf([1, 2]), metadata={"description": "1: campus, 2: system house"})
    school_id = _int()
    campus_id = _int()
    reporter_id = _int()
    assignee_id = _nullable_int()
    device_id = _nullable_int()
    category = _str(validate=OneOf([c.value for c in Category]))
    impact = _str(validate=OneOf([i.value for i in Impact]))
    title = _str()
    description = _str()
    room = _str()
    resolved_level = _nullable_int()
    created_at = _time()
    updated_at = _time(allow_none=True)
    first_response_at = _time(allow_none=True)
    respond_by = _time(
        allow_none=True,
        metadata={"description": "First response due: by the school's next visit."},
    )
    resolve_by = _time(
        allow_none=True, metadata={"description": "Resolution due: by the impact's target."}
    )
    escalated_at = _time(allow_none=True)
    resolved_at = _time(allow_none=True)
    closed_at = _time(allow_none=True)


class TicketEventSchema(Shape):
    """One entry of a ticket's history."""

    id = _int()
    kind = _str(metadata={"description": "created, claimed, replied, noted, escalated, ..."})
    actor_id = _nullable_int(metadata={"description": "null: Campus itself"})
    old_status = _str(allow_none=True)
    new_status = _str(allow_none=True)
    old_level = _nullable_int()
    new_level = _nullable_int()
    text = _str()
    internal = fields.Boolean(
        required=True, metadata={"description": "Shown to the support side only."}
    )
    created_at = _time()


class TicketWithEventsSchema(TicketSchema):
    events = fields.List(fields.Nested(TicketEventSchema), required=True)


class MeSchema(Shape):
    """The user a token belongs to."""

    id = _int()
    email = _str()
    display_name = _str()
    role = _str()
    school_id = _nullable_int()
    campus_ids = fields.List(fields.Integer(), required=True)


class DeviceSchema(Shape):
    id = _int()
    school_id = _int()
    type = _str()
    inventory_number = _str()
    serial_number = _str()
    model = _str()
    room = _str()
    status = _str()


class SchoolSchema(Shape):
    id = _int()
    name = _str()
    short_name = _str()
    school_number = _str()
    campus_id = _int()


class CampusSchema(Shape):
    id = _int()
    name = _str()


class WebhookMessageSchema(Shape):
    """The body of a webhook POST (ticket.escalated, ticket.returned)."""

    event = _str(metadata={"description": "ticket.escalated or ticket.returned"})
    occurred_at = _time()
    ticket = fields.Nested(TicketSchema, required=True)


def webhook_message(event: str, occurred_at: datetime, ticket) -> dict:
    """The webhook message for `event` about `ticket`, as plain JSON data."""
    return WebhookMessageSchema().dump(
        {"event": event, "occurred_at": occurred_at, "ticket": ticket}
    )


# --- the one error shape ---------------------------------------------------------------


class ErrorDetailSchema(Shape):
    code = _str(
        metadata={
            "description": "invalid, bad_request, unauthorized, forbidden, not_found, "
            "method_not_allowed, conflict, too_large, too_many_requests, server_error "
            "(the reports page's JSON export also: bad_group_by, bad_period)"
        }
    )
    message = _str(metadata={"description": "For people, in the user's language."})
    field_errors = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        data_key="fields",
        metadata={"description": "What is wrong with each field, when fields are to blame."},
    )


class ErrorSchema(Shape):
    error = fields.Nested(ErrorDetailSchema, required=True)


def error_body(code: str, message, fields: Mapping | None = None) -> dict:
    """`{"error": {"code", "message", "fields"?}}`; messages may be lazy strings."""
    detail = {"code": code, "message": str(message)}
    if fields:
        detail["field_errors"] = {str(name): str(text) for name, text in fields.items()}
    return ErrorSchema().dump({"error": detail})
