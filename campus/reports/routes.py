"""Reports: the figures page, the printable evaluation report, CSV and JSON exports."""

from flask import Response, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from campus.audit import audit
from campus.errors import json_error
from campus.extensions import db
from campus.models import AuditAction, Survey, utcnow
from campus.permissions import can_read_reports, report_campus_ids
from campus.reports import bp
from campus.reports.expertise import expertise
from campus.reports.export import csv_lines, row_to_dict
from campus.reports.forms import PeriodForm
from campus.reports.internships import MIN_INTERNSHIPS, internship_figures
from campus.reports.overview import AGE_BANDS, OLDEST_BAND, ROW_LIMIT, full_report, months_chart
from campus.reports.period import today_in_berlin
from campus.reports.queries import (
    ResolutionRow,
    Scope,
    breakdown,
    first_level_resolution_rate,
)
from campus.reports.satisfaction import MIN_ANSWERS, satisfaction
from campus.reports.sums import report_groupings
from campus.surveys.results import survey_results
from campus.unit_of_work import work


def _tables() -> tuple[str, ...]:
    """The downloads a reader may ask for (per campus manager only while switched on)."""
    return ("summary", *report_groupings())


def _reader_scope() -> Scope:
    if not can_read_reports(current_user):
        abort(403)
    return Scope(report_campus_ids(current_user))


def _period_form():
    form = PeriodForm(request.args)
    dates_given = "preset" not in request.args and bool(
        request.args.get("start") or request.args.get("end")
    )
    return form, form.period(today_in_berlin(), dates_given=dates_given)


def _period_args(period) -> dict:
    return {"preset": "custom", "start": period.first.isoformat(), "end": period.last.isoformat()}


@bp.route("/")
@login_required
def index():
    scope = _reader_scope()
    form, period = _period_form()
    report = full_report(period, scope, utcnow()) if period else None
    return render_template(
        "reports/index.html",
        form=form,
        report=report,
        period_args=_period_args(period) if period else {},
        bands=[name for _days, name in AGE_BANDS] + [OLDEST_BAND],
        **(_satisfaction(period, scope) if period else {}),
        expertise=expertise(period, scope, report.chart) if report else None,
        survey_rounds=_survey_rounds(period, scope) if period else [],
        internships=internship_figures(scope),
        min_internships=MIN_INTERNSHIPS,
    ), (200 if period else 422)


def _survey_rounds(period, scope) -> list:
    """The survey rounds that ran in the period, each with its results for the reader."""
    rounds = db.session.scalars(
        select(Survey)
        .where(Survey.opens_on <= period.last, Survey.closes_on >= period.first)
        .where(Survey.closes_on < today_in_berlin())  # results once a round is over
        .order_by(Survey.opens_on)
    ).all()
    return [(survey, survey_results(survey, scope.campus_ids)) for survey in rounds]


def _satisfaction(period, scope) -> dict:
    """The feedback figures per campus and school, for the page's satisfaction section."""
    return {
        "satisfaction": satisfaction(period, scope, utcnow()),
        "min_answers": MIN_ANSWERS,
    }


@bp.route("/evaluation")
@login_required
def evaluation():
    scope = _reader_scope()
    form, period = _period_form()
    if period is None:
        return render_template(
            "reports/index.html", form=form, report=None, period_args={}, bands=[]
        ), 422
    now = utcnow()
    rows = first_level_resolution_rate(period, scope, "campus")
    summary = first_level_resolution_rate(period, scope, None)
    schools, school_count = breakdown(period, scope, "school", ROW_LIMIT)
    chart = months_chart(period, scope, now)
    return render_template(
        "reports/evaluation.html",
        period=period,
        summary=summary[0] if summary else None,
        campuses=rows,
        schools=schools,
        school_count=school_count,
        **_satisfaction(period, scope),
        survey_rounds=_survey_rounds(period, scope),
        chart=chart,
        expertise=expertise(period, scope, chart),
        generated=now,
    )


def _table_rows(table: str, scope: Scope, period) -> list[dict]:
    group_by = None if table == "summary" else table
    rows = first_level_resolution_rate(period, scope, group_by)
    if group_by is None and not rows:
        rows = [ResolutionRow(key="all")]  # an empty period still has a summary: zeros
    return [row_to_dict(row) for row in rows]


@bp.route("/export.csv")
@login_required
def export_csv():
    scope = _reader_scope()
    table = request.args.get("table", "summary")
    if table not in _tables():
        abort(404)
    _form, period = _period_form()
    if period is None:
        abort(400)
    separator = ";" if request.args.get("sep") == ";" else ","
    lines = csv_lines(_table_rows(table, scope, period), separator)  # read now, sent as it goes
    _audit_export("CSV", table, period)
    filename = f"campus-{table}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        (line.encode("utf-8") for line in lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/data.json")
@login_required
def export_json():
    scope = _reader_scope()
    table = request.args.get("group_by") or request.args.get("table") or "summary"
    if table not in _tables():
        return json_error(
            400, "bad_group_by", _("Unknown grouping."), {"group_by": ", ".join(_tables())}
        )
    form, period = _period_form()
    if period is None:
        fields = {k: " ".join(str(e) for e in v) for k, v in form.errors.items()}
        return json_error(400, "bad_period", _("Please check the period."), fields)
    _audit_export("JSON", table, period)
    return jsonify(
        period={"from": period.first.isoformat(), "to": period.last.isoformat()},
        group_by=table,
        rows=_table_rows(table, scope, period),
        csv=url_for("reports.export_csv", table=table, **_period_args(period)),
    )


def _audit_export(kind: str, table: str, period) -> None:
    """Downloads of figures are recorded in the audit trail."""
    with work():
        audit(
            AuditAction.EXPORT,
            actor=current_user,
            subject=f"{kind} {table}",
            detail=f"{period.first.isoformat()} – {period.last.isoformat()}",
        )
