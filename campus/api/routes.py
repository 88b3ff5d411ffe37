"""The JSON API: the same services, workflow and permissions as the pages.

Authentication is by personal token only (Authorization: Bearer ...); cookies never
authenticate here, so there is no CSRF to forge.
"""

from datetime import datetime
from functools import wraps

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from campus.api import bp
from campus.api.openapi import spec
from campus.api.serializers import device_json, event_json, me_json, school_json, ticket_json
from campus.api.tokens import user_for_token
from campus.exceptions import DomainError, FieldErrors
from campus.extensions import csrf, db
from campus.models import Campus, Device, School, Ticket, TicketEvent
from campus.permissions import (
    can_read_reports,
    can_view_ticket,
    report_campus_ids,
    sees_internal,
    visible_devices,
    visible_tickets,
)
from campus.ratelimit import Limit, locked_for, record_failure
from campus.reports.export import row_to_dict
from campus.reports.forms import PeriodForm
from campus.reports.period import today_in_berlin
from campus.reports.queries import GROUPINGS, Scope, first_level_resolution_rate
from campus.tickets.actions import ACTIONS
from campus.tickets.filing import report_ticket
from campus.tickets.workflow import Action
from campus.unit_of_work import work

csrf.exempt(bp)
MAX_PER_PAGE = 100


def error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = {name: str(text) for name, text in fields.items()}
    return jsonify(error=body), status


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            db.session.commit()  # nothing to keep, but end the read cleanly
            response, status = error(
                401, "unauthorized", _("A valid API token is needed (Authorization: Bearer …).")
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="campus"'
            return response, status
        g.api_user = user
        db.session.commit()  # last_used_at
        limit = Limit(current_app.config["API_REQUESTS_PER_MINUTE"], 60)
        key = f"api:{user.id}"
        if locked_for(key, limit):
            response, status = error(
                429, "too_many_requests", _("Too many requests; please slow down.")
            )
            response.headers["Retry-After"] = str(locked_for(key, limit))
            return response, status
        record_failure(key, limit)  # counts requests, not only failures
        return view(*args, **kwargs)

    return wrapped


def _domain_error(exc: DomainError):
    db.session.rollback()
    fields = (
        exc.errors
        if isinstance(exc, FieldErrors)
        else ({exc.field: exc.message} if exc.field else None)
    )
    code = {400: "invalid", 403: "forbidden", 409: "conflict"}.get(exc.status_code, "invalid")
    return error(exc.status_code, code, exc.message, fields)


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise FieldErrors({"body": _("Send a JSON object (Content-Type: application/json).")})
    return data


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise FieldErrors({name: _("Must be a whole number.")})
    return int(raw)


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())


@bp.get("/me")
@token_required
def me():
    return jsonify(me_json(g.api_user))


@bp.get("/tickets")
@token_required
def tickets():
    try:
        page = _int_arg("page") or 1
        per_page = min(_int_arg("per_page") or 25, MAX_PER_PAGE)
        query = visible_tickets(g.api_user, select(Ticket))
        for name, column in (
            ("level", Ticket.level),
            ("school_id", Ticket.school_id),
            ("campus_id", Ticket.campus_id),
            ("assignee_id", Ticket.assignee_id),
        ):
            value = _int_arg(name)
            if value is not None:
                query = query.where(column == value)
        if request.args.get("status"):
            query = query.where(Ticket.status == request.args["status"])
        if request.args.get("updated_since"):
            try:
                since = datetime.fromisoformat(request.args["updated_since"])
            except ValueError:
                raise FieldErrors(
                    {"updated_since": _("Use ISO 8601, e.g. 2026-11-25T08:00:00+01:00.")}
                ) from None
            if since.tzinfo is None:
                raise FieldErrors({"updated_since": _("Give the time zone offset, e.g. +01:00.")})
            query = query.where(Ticket.updated_at >= since)
    except DomainError as exc:
        return _domain_error(exc)
    result = db.paginate(
        query.order_by(Ticket.id), page=page, per_page=per_page, error_out=False, count=True
    )
    return jsonify(
        items=[ticket_json(t) for t in result.items],
        page=page,
        per_page=per_page,
        total=result.total,
    )


@bp.post("/tickets")
@token_required
def create_ticket():
    try:
        data = _json_body()
        device_id = data.get("device_id")
        if device_id is not None and not isinstance(device_id, int):
            raise FieldErrors({"device_id": _("Must be a whole number.")})
        ticket = report_ticket(
            g.api_user,
            title=str(data.get("title") or ""),
            description=str(data.get("description") or ""),
            category=str(data.get("category") or ""),
            impact=str(data.get("impact") or ""),
            room=str(data.get("room") or ""),
            device_id=device_id,
        )
        db.session.commit()
    except DomainError as exc:
        return _domain_error(exc)
    return jsonify(ticket_json(ticket)), 201


def _ticket_or_404(ticket_id: int):
    ticket = db.session.get(
        Ticket, ticket_id, options=[selectinload(Ticket.events).selectinload(TicketEvent.actor)]
    )
    if ticket is None or not can_view_ticket(g.api_user, ticket):
        return None
    return ticket


def _ticket_with_events(ticket: Ticket) -> dict:
    internal = sees_internal(g.api_user, ticket)
    data = ticket_json(ticket)
    data["events"] = [event_json(e) for e in ticket.events if internal or not e.internal]
    return data


@bp.get("/tickets/<int:ticket_id>")
@token_required
def ticket_detail(ticket_id: int):
    ticket = _ticket_or_404(ticket_id)
    if ticket is None:
        return error(404, "not_found", _("No such ticket."))
    return jsonify(_ticket_with_events(ticket))


@bp.post("/tickets/<int:ticket_id>/actions")
@token_required
def ticket_action(ticket_id: int):
    ticket = _ticket_or_404(ticket_id)
    if ticket is None:
        return error(404, "not_found", _("No such ticket."))
    try:
        data = _json_body()
        try:
            action = Action(data.get("action"))
        except ValueError:
            action = None
        if action is None or action not in ACTIONS:
            raise FieldErrors(
                {
                    "action": _(
                        "Unknown action; use one of: %(actions)s.",
                        actions=", ".join(a.value for a in ACTIONS),
                    )
                }
            )
        spec = ACTIONS[action]
        try:
            loaded = spec.body().load(
                {k: v for k, v in data.items() if k != "action"}, unknown="exclude"
            )
        except ValidationError as invalid:
            raise FieldErrors(
                {
                    name: " ".join(map(str, m)) if isinstance(m, list) else str(m)
                    for name, m in invalid.messages.items()
                }
            ) from None
        with work():
            spec.take(g.api_user, ticket, spec.command_from_body(loaded))
    except DomainError as exc:
        return _domain_error(exc)
    return jsonify(_ticket_with_events(ticket))


# --- reference data and reports ---------------------------------------------------------


@bp.get("/devices")
@token_required
def devices():
    try:
        school_id = _int_arg("school_id")
        page = _int_arg("page") or 1
        per_page = min(_int_arg("per_page") or 100, MAX_PER_PAGE)
    except DomainError as exc:
        return _domain_error(exc)
    query = visible_devices(g.api_user, select(Device))
    if school_id is not None:
        query = query.where(Device.school_id == school_id)
    result = db.paginate(
        query.order_by(Device.id), page=page, per_page=per_page, error_out=False, count=True
    )
    return jsonify(
        items=[device_json(d) for d in result.items],
        page=page,
        per_page=per_page,
        total=result.total,
    )


@bp.get("/schools")
@token_required
def schools():
    rows = db.session.scalars(select(School).order_by(School.name)).all()
    return jsonify(items=[school_json(s) for s in rows])


@bp.get("/campuses")
@token_required
def campuses():
    rows = db.session.scalars(select(Campus).order_by(Campus.name)).all()
    return jsonify(items=[{"id": c.id, "name": c.name} for c in rows])


@bp.get("/reports/resolution")
@token_required
def resolution_report():
    if not can_read_reports(g.api_user):
        return error(403, "forbidden", _("Reports are for administrators and campus managers."))
    group_by = request.args.get("group_by") or None
    if group_by is not None and group_by not in GROUPINGS:
        return error(400, "invalid", _("Unknown grouping."), {"group_by": ", ".join(GROUPINGS)})
    form = PeriodForm(
        MultiDict(
            {
                "preset": "custom",
                "start": request.args.get("from", ""),
                "end": request.args.get("to", ""),
            }
        )
    )
    period = form.period(today_in_berlin(), dates_given=True)
    if period is None:
        fields = {
            ("from" if k == "start" else "to"): " ".join(map(str, v))
            for k, v in form.errors.items()
        }
        return error(400, "invalid", _("Please check the period."), fields)
    scope = Scope(report_campus_ids(g.api_user))
    rows = first_level_resolution_rate(period, scope, group_by)
    return jsonify(
        period={"from": period.first.isoformat(), "to": period.last.isoformat()},
        group_by=group_by,
        rows=[row_to_dict(row) for row in rows],
    )
