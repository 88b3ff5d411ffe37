"""What the API reads (query strings and bodies) and its list wrappers, as schemas.

The schemas check the types; the services check the rules (a title not empty, a device
of the reporter's school) and say what is wrong next to the field, as on the pages.
The response objects themselves are in campus/schemas.py.
"""

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import OneOf, Range

from campus.formhelpers import DB_INT_MAX
from campus.models import Category, Impact, TicketStatus
from campus.schemas import (
    WHOLE_NUMBER,
    CampusSchema,
    DeviceSchema,
    Number,
    SchoolSchema,
    Shape,
    Text,
    TicketSchema,
    Translated,
)

MAX_PER_PAGE = 100


class Choice(OneOf):
    """One of `choices`, refused with a translated message (documented as an enum)."""

    def __init__(self, choices, message):
        super().__init__(choices)
        self.message = message

    def _format_error(self, value) -> str:
        return str(self.message)


class QueryField(Translated):
    """A query parameter left empty (`?level=`) counts as not given."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value == "":
            return None
        return super().deserialize(value, attr, data, **kwargs)


class WholeNumber(QueryField, fields.Integer):
    default_error_messages = {"invalid": WHOLE_NUMBER}

    def __init__(self, **kwargs):
        super().__init__(validate=Range(min=0, max=DB_INT_MAX, error=WHOLE_NUMBER), **kwargs)


class AwareTime(QueryField, fields.AwareDateTime):
    pass


class QueryText(QueryField, fields.String):
    pass


class QuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE


class PageQuery(QuerySchema):
    page = WholeNumber(metadata={"description": "From 1 (default)."})
    per_page = WholeNumber(metadata={"description": "At most 100; more counts as 100."})


class TicketQuery(PageQuery):
    status = fields.String(metadata={"enum": [s.value for s in TicketStatus]})
    level = WholeNumber(metadata={"enum": [1, 2]})
    school_id = WholeNumber()
    campus_id = WholeNumber()
    assignee_id = WholeNumber()
    updated_since = AwareTime(
        format="iso",
        error_messages={
            "invalid": _l("Use ISO 8601, e.g. 2026-11-25T08:00:00+01:00."),
            "invalid_awareness": _l("Give the time zone offset, e.g. +01:00."),
        },
        metadata={"description": "Changed at or after this moment (with its UTC offset)."},
    )


class DeviceQuery(PageQuery):
    school_id = WholeNumber()


class NewTicketSchema(Schema):
    """A teacher's report (the same checks as the report form)."""

    class Meta:
        unknown = EXCLUDE

    title = Text(
        required=True, error_messages={"required": _l("Please say in a few words what is wrong.")}
    )
    description = Text(
        required=True, error_messages={"required": _l("Please describe the problem.")}
    )
    category = Text(
        required=True,
        validate=Choice(
            [c.value for c in Category], _l("Please choose what kind of problem it is.")
        ),
        error_messages={"required": _l("Please choose what kind of problem it is.")},
    )
    impact = Text(
        required=True,
        validate=Choice(
            [i.value for i in Impact], _l("Please choose how much it disturbs the lesson.")
        ),
        error_messages={"required": _l("Please choose how much it disturbs the lesson.")},
    )
    room = Text(load_default="")
    device_id = Number(
        strict=True,
        allow_none=True,
        load_default=None,
        error_messages={"invalid": WHOLE_NUMBER},
        metadata={"description": "A device of the teacher's school."},
    )


# --- lists -------------------------------------------------------------------------------


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """`{"items": [...], "page", "per_page", "total"}` of `item_schema`."""
    return type(
        name,
        (Shape,),
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
    )


def list_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """`{"items": [...]}` of `item_schema`."""
    return type(name, (Shape,), {"items": fields.List(fields.Nested(item_schema), required=True)})


TicketPageSchema = page_of(TicketSchema, "TicketPageSchema")
DevicePageSchema = page_of(DeviceSchema, "DevicePageSchema")
SchoolListSchema = list_of(SchoolSchema, "SchoolListSchema")
CampusListSchema = list_of(CampusSchema, "CampusListSchema")


def page_args(args: dict, default_per_page: int) -> tuple[int, int]:
    """(page, per_page) from a PageQuery: 0 or nothing means the default, at most 100."""
    return args.get("page") or 1, min(args.get("per_page") or default_per_page, MAX_PER_PAGE)
