"""The token's user, reference data (devices, schools, campuses) and the resolution report."""

from functools import wraps

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from campus.api import bp
from campus.api.auth import api_user
from campus.api.errors import answers
from campus.api.shapes import (
    CampusListSchema,
    Choice,
    DevicePageSchema,
    DeviceQuery,
    QuerySchema,
    QueryText,
    SchoolListSchema,
    page_args,
)
from campus.exceptions import NotAllowed
from campus.extensions import db
from campus.models import Campus, Device, School
from campus.permissions import can_read_reports, report_campus_ids, visible_devices
from campus.reports.export import COUNT_FIELDS, RATE_FIELDS, row_to_dict
from campus.reports.forms import PeriodForm
from campus.reports.period import today_in_berlin
from campus.reports.queries import TIME_FIGURES, Scope, first_level_resolution_rate
from campus.reports.sums import GROUPINGS
from campus.schemas import MeSchema, Shape


@bp.get("/me")
@bp.response(200, MeSchema)
@answers()
def me():
    """The token's user"""
    return api_user()


@bp.get("/devices")
@bp.response(200, DevicePageSchema)
@answers(400)
@bp.arguments(DeviceQuery, location="query")
def devices(args):
    """Devices this user may see"""
    page, per_page = page_args(args, default_per_page=100)
    query = visible_devices(api_user(), select(Device))
    if args.get("school_id") is not None:
        query = query.where(Device.school_id == args["school_id"])
    result = db.paginate(
        query.order_by(Device.id), page=page, per_page=per_page, error_out=False, count=True
    )
    return {"items": result.items, "page": page, "per_page": per_page, "total": result.total}


@bp.get("/schools")
@bp.response(200, SchoolListSchema)
@answers()
def schools():
    """All schools"""
    return {"items": db.session.scalars(select(School).order_by(School.name)).all()}


@bp.get("/campuses")
@bp.response(200, CampusListSchema)
@answers()
def campuses():
    """All campuses"""
    return {"items": db.session.scalars(select(Campus).order_by(Campus.name)).all()}


# --- the resolution report ---------------------------------------------------------------


def _number(**kwargs) -> fields.Raw:
    """A figure passed on as the report computed it (an int stays an int)."""
    return fields.Raw(required=True, metadata={"type": ["number", "null"], **kwargs})


ResolutionRowSchema = type(
    "ResolutionRowSchema",
    (Shape,),
    {
        "__doc__": "One group's figures, as the reports page's JSON export has them.",
        "key": fields.String(required=True),
        "label": fields.String(required=True),
        **{name: fields.Integer(required=True) for name in COUNT_FIELDS},
        **{name: _number(description="0..1, null when undefined") for name in RATE_FIELDS},
        **{
            name: field
            for figure in TIME_FIGURES
            for name, field in (
                (f"{figure}_n", fields.Integer(required=True)),
                (f"{figure}_median_hours", _number(description="hours")),
                (f"{figure}_p90_hours", _number(description="hours")),
            )
        },
    },
)


class PeriodSchema(Shape):
    first = fields.Date(required=True, data_key="from")
    last = fields.Date(required=True, data_key="to")


class ResolutionReportSchema(Shape):
    period = fields.Nested(PeriodSchema, required=True)
    group_by = fields.String(required=True, allow_none=True)
    rows = fields.List(fields.Nested(ResolutionRowSchema), required=True)


class ReportQuery(QuerySchema):
    start = QueryText(
        data_key="from",
        required=True,
        error_messages={"required": _l("Please enter the first day.")},
        metadata={"format": "date", "description": "The first day (YYYY-MM-DD)."},
    )
    end = QueryText(
        data_key="to",
        required=True,
        error_messages={"required": _l("Please enter the last day.")},
        metadata={"format": "date", "description": "The last day, included."},
    )
    group_by = QueryText(
        validate=Choice(
            GROUPINGS,
            _l("Unknown grouping; use one of: %(groupings)s.", groupings=", ".join(GROUPINGS)),
        )
    )

    @post_load
    def period(self, data, **_kwargs):
        """The dates as the reports page reads them (the same checks and messages)."""
        form = PeriodForm(
            MultiDict({"preset": "custom", "start": data["start"] or "", "end": data["end"] or ""})
        )
        period = form.period(today_in_berlin(), dates_given=True)
        if period is None:
            names = {"start": "from", "end": "to"}
            raise ValidationError(
                {names[k]: [str(e) for e in v] for k, v in form.errors.items() if k in names}
            )
        return {"period": period, "group_by": data.get("group_by") or None}


def report_reader(view):
    """Reports are for their readers only, whatever the query says (403 before 400)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not can_read_reports(api_user()):
            raise NotAllowed(_l("Reports are for administrators and campus managers."))
        return view(*args, **kwargs)

    return guarded


@bp.get("/reports/resolution")
@bp.response(200, ResolutionReportSchema)
@answers(400, 403)
@report_reader
@bp.arguments(ReportQuery, location="query")
def resolution_report(args):
    """First-level resolution figures (administrators, campus managers)"""
    scope = Scope(report_campus_ids(api_user()))
    rows = first_level_resolution_rate(args["period"], scope, args["group_by"])
    return {
        "period": args["period"],
        "group_by": args["group_by"],
        "rows": [row_to_dict(row) for row in rows],
    }
