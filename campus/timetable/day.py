"""The manager's day on the phone ("Heute"), "on site now", the calendar feed and the
service worker that keeps the day plan readable offline."""

from dataclasses import dataclass, field
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from campus.admin.forms import ConfirmForm
from campus.extensions import db
from campus.formats import in_language
from campus.models import Device, DeviceStatus, Impact, School, Ticket, User, utcnow
from campus.permissions import has_day_plan, looks_after_school, visible_tickets
from campus.timetable import bp
from campus.timetable.feed import calendar, token_matches, user_of, window
from campus.timetable.onsite import on_site_since, record_on_site
from campus.timetable.plans import today, visits_of
from campus.timetable.schedule import Occurrence
from campus.unit_of_work import work

TICKETS_PER_SCHOOL = 30
STATIC = Path(__file__).resolve().parent.parent / "static"


@dataclass
class Stop:
    """One school of the day: the visit, its open tickets, the devices to bring back."""

    visit: Occurrence
    school: School
    tickets: list[Ticket] = field(default_factory=list)
    repairs: list[Device] = field(default_factory=list)
    here_since: object = None
    standing_in_for: str = ""
    tickets_hidden: bool = False  # a school of another campus (standing in): not visible


def day_plan(manager: User, now) -> list[Stop]:
    day = today(now)
    visits, names = visits_of(manager, day, day)
    ids = list(dict.fromkeys(v.school_id for v in visits))
    if not ids:
        return []
    schools = {s.id: s for s in db.session.scalars(select(School).where(School.id.in_(ids)))}
    stops = [
        Stop(
            v,
            schools[v.school_id],
            standing_in_for=names.get(v.manager_id, ""),
            tickets_hidden=not looks_after_school(manager, schools[v.school_id]),
        )
        for v in visits
        if v.school_id in schools
    ]
    first_stop = {}
    for stop in stops:
        first_stop.setdefault(stop.school.id, stop)
    tickets = db.session.scalars(
        visible_tickets(
            manager,
            select(Ticket)
            .where(Ticket.school_id.in_(ids), Ticket.is_open_clause())
            .order_by(Ticket.impact, Ticket.created_at)
            .limit(TICKETS_PER_SCHOOL * len(ids)),
        )
    )
    for ticket in tickets:
        stop = first_stop[ticket.school_id]
        if len(stop.tickets) < TICKETS_PER_SCHOOL:
            stop.tickets.append(ticket)
    for device in db.session.scalars(
        select(Device)
        .where(Device.school_id.in_(ids), Device.status == DeviceStatus.IN_REPAIR)
        .order_by(Device.room, Device.inventory_number)
    ):
        first_stop[device.school_id].repairs.append(device)
    for school_id, since in on_site_since(manager.id, ids, now).items():
        first_stop[school_id].here_since = since
    return stops


@bp.route("/today", endpoint="today")
@login_required
def today_page():
    if not has_day_plan(current_user):
        abort(403)
    now = utcnow()
    stops = day_plan(current_user, now)
    response = Response(
        render_template(
            "timetable/today.html",
            stops=stops,
            now=now,
            blocking=Impact.BLOCKING,
            confirm=ConfirmForm(),
            ticket_urls=[
                url_for("tickets.detail", ticket_id=t.id) for s in stops for t in s.tickets
            ],
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the service worker keeps its own copy
    return response


@bp.route("/today/on-site/<int:school_id>", methods=["POST"])
@login_required
def on_site(school_id: int):
    if not has_day_plan(current_user) or not ConfirmForm().validate_on_submit():
        abort(403)
    with work() as attempt:
        record_on_site(current_user, school_id)
    if attempt.ok:
        flash(_("Recorded: you are on site."), "success")
    return redirect(url_for("timetable.today"))


@bp.route("/timetable/feed/<token>.ics")
def feed(token: str):
    """The private calendar address: no login (a phone's calendar cannot), the token is
    the key; a revoked or wrong one is a plain 404."""
    user_id = user_of(token)
    manager = db.session.get(User, user_id) if user_id is not None else None
    if manager is None or not manager.active or not has_day_plan(manager):
        abort(404)
    if not token_matches(token, manager.id, manager.calendar_key):
        abort(404)
    now = utcnow()
    visits, people = visits_of(manager, *window(today(now)))
    ids = {v.school_id for v in visits}
    schools = {
        i: (n, a)
        for i, n, a in db.session.execute(
            select(School.id, School.name, School.address).where(School.id.in_(ids))
        )
    }
    with in_language(manager.locale):
        body = calendar(
            _("Campus visits of %(name)s", name=manager.display_name),
            visits,
            schools,
            people,
            "campus",
            now,
        )
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=900"
    response.headers["Content-Disposition"] = 'inline; filename="campus.ics"'
    return response


@bp.route("/sw.js")
def service_worker():
    """/sw.js at the site's root, so that it may look after /today and /tickets/."""
    response = Response((STATIC / "sw.js").read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
