"""What each ticket action needs: a typed command, and the same as an API body (marshmallow).

The registry (campus/tickets/actions.py) pairs each action with one of each.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, post_load
from marshmallow import fields as f

from campus.schemas import WHOLE_NUMBER, Number, Text, Translated

# --- commands: what each action needs ------------------------------------------------


@dataclass(frozen=True)
class NoInput:
    """A one-button action (take on, confirm)."""


@dataclass(frozen=True)
class WithText:
    text: str = ""


@dataclass(frozen=True)
class Resolution(WithText):
    l1_capable: bool = False  # the system house's judgement, level 2 only


@dataclass(frozen=True)
class Assignment:
    assignee_id: int | None = None


@dataclass(frozen=True)
class Analysis:
    """The structured fault analysis an escalation carries."""

    symptoms: str = ""
    steps_tried: str = ""
    device_data: str = ""
    reproduce: str = ""


@dataclass(frozen=True)
class Approval:
    """The supervisor approves the intern's proposal she read: its event's id."""

    proposal: int | None = field(default=None, metadata={"hidden": True})


# --- API bodies: the same commands as JSON -------------------------------------------------

ANALYSIS_AS_OBJECT = _l(
    "Send the fault analysis as an object with symptoms, steps_tried, device_data, reproduce."
)


class NoBody(Schema):
    pass


class TextBody(Schema):
    text = Text(
        load_default="", allow_none=True, metadata={"description": "The message or reason."}
    )

    @post_load
    def no_none(self, data, **_kwargs):
        return {**data, "text": data.get("text") or ""}


class ResolutionBody(TextBody):
    l1_capable = f.Boolean(
        load_default=False, metadata={"description": "Level 2: could level 1 have solved it?"}
    )


class AssignmentBody(Schema):
    assignee_id = Number(
        strict=True,
        allow_none=True,
        load_default=None,
        error_messages={"invalid": WHOLE_NUMBER},
        metadata={"description": "The colleague's user id."},
    )


class ApprovalBody(Schema):
    proposal = Number(
        strict=True,
        required=True,
        error_messages={"invalid": WHOLE_NUMBER},
        metadata={
            "description": "The id of the ticket's event (kind proposed) whose solution is "
            "approved: a proposal changed since it was read is refused."
        },
    )


class AnalysisSchema(Schema):
    symptoms = Text(load_default="", allow_none=True)
    steps_tried = Text(load_default="", allow_none=True)
    device_data = Text(load_default="", allow_none=True)
    reproduce = Text(load_default="", allow_none=True)

    @post_load
    def no_none(self, data, **_kwargs):
        return {name: value or "" for name, value in data.items()}


class AnalysisField(Translated, f.Nested):
    """The analysis object; anything else is refused with one message saying what to send."""

    default_error_messages = {"type": ANALYSIS_AS_OBJECT, "required": ANALYSIS_AS_OBJECT}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("type")
        return super()._deserialize(value, attr, data, **kwargs)


class EscalationBody(Schema):
    analysis = AnalysisField(AnalysisSchema, required=True)

    @post_load
    def flatten(self, data, **_kwargs):
        return data["analysis"]
