"""The timetable page of a campus manager: weekly visits, absences, one-off changes, the
calendar feed's address. Kept by the manager and by administrators."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from campus.admin.forms import ConfirmForm
from campus.extensions import db
from campus.formhelpers import form_status
from campus.models import Absence, School, User, Visit, VisitChange
from campus.permissions import can_plan_visits, is_admin, managers, visible_schools
from campus.timetable import bp
from campus.timetable.feed import feed_token, new_calendar_key, revoke_calendar_key
from campus.timetable.forms import REASONS, WEEKDAYS, AbsenceForm, ChangeForm, VisitForm
from campus.timetable.people import substitute_misses_campuses
from campus.timetable.plans import absence_touching, today, visits_of
from campus.timetable.services import (
    add_absence,
    add_visit,
    change_day,
    remove_entry,
)
from campus.unit_of_work import work
from campus.urls import external_url

PREVIEW_DAYS = 14


@bp.route("/timetable")
@login_required
def index():
    if can_plan_visits(current_user, current_user):
        return redirect(url_for("timetable.manager", manager_id=current_user.id))
    if not is_admin(current_user):
        abort(403)
    people = db.session.scalars(managers(select(User)).order_by(User.display_name)).all()
    return render_template("timetable/managers.html", managers=people)


def _manager_or_404(manager_id: int) -> User:
    manager = db.session.get(User, manager_id)
    if manager is None or not can_plan_visits(current_user, manager):
        abort(404)
    return manager


def _school_choices(manager: User) -> list[SelectChoice]:
    schools = db.session.execute(
        visible_schools(manager, select(School.id, School.name).order_by(School.name))
    )
    return [SelectChoice("", _("– choose –"))] + [SelectChoice(i, n) for i, n in schools]


def _forms(manager: User, **given) -> dict:
    schools = _school_choices(manager)
    visit = given.get("visit_form") or VisitForm(prefix="visit")
    change = given.get("change_form") or ChangeForm(prefix="change")
    absence = given.get("absence_form") or AbsenceForm(prefix="absence")
    visit.school_id.choices = change.school_id.choices = schools
    others = db.session.execute(
        managers(select(User.id, User.display_name))
        .where(User.id != manager.id)
        .order_by(User.display_name)
    )
    absence.substitute_id.choices = [SelectChoice("", _("– nobody –"))] + [
        SelectChoice(i, n) for i, n in others
    ]
    return {"visit_form": visit, "change_form": change, "absence_form": absence}


def _page(manager: User, status: int = 200, **given):
    first = today()
    visits = db.session.scalars(
        select(Visit)
        .options(joinedload(Visit.school))
        .where(Visit.manager_id == manager.id)
        .order_by(Visit.weekday, Visit.starts)
    ).all()
    absences = db.session.scalars(
        absence_touching(manager.id, first, first + timedelta(days=366))
        .options(joinedload(Absence.manager), joinedload(Absence.substitute))
        .order_by(Absence.first_day)
    ).all()
    changes = db.session.scalars(
        select(VisitChange)
        .options(joinedload(VisitChange.school))
        .where(VisitChange.manager_id == manager.id, VisitChange.day >= first)
        .order_by(VisitChange.day, VisitChange.starts)
    ).all()
    coming, people = visits_of(manager, first, first + timedelta(days=PREVIEW_DAYS - 1))
    names = dict(
        db.session.execute(
            select(School.id, School.name).where(School.id.in_({o.school_id for o in coming}))
        ).all()
    )
    feed_url = None
    if manager.calendar_key:
        feed_url = external_url(
            "timetable.feed", token=feed_token(manager.id, manager.calendar_key)
        )
    return render_template(
        "timetable/manager.html",
        manager=manager,
        visits=visits,
        absences=absences,
        changes=changes,
        coming=coming,
        school_names=names,
        people=people,
        weekdays={c.value: c.label for c in WEEKDAYS},
        reasons={c.value: c.label for c in REASONS},
        feed_url=feed_url,
        confirm=ConfirmForm(),
        **_forms(manager, **given),
    ), status


@bp.route("/timetable/<int:manager_id>")
@login_required
def manager(manager_id: int):
    return _page(_manager_or_404(manager_id))


def _done(manager: User, message: str):
    flash(message, "success")
    return redirect(url_for("timetable.manager", manager_id=manager.id))


def _fields(form, *names) -> dict:
    return {name: getattr(form, name).data for name in names}


def _add_visit(manager: User, form) -> str:
    add_visit(current_user, manager, **_fields(form, "school_id", "weekday", "starts", "ends"))
    return _("Visit added to the timetable.")


def _add_absence(manager: User, form) -> str:
    names = ("first_day", "last_day", "reason", "substitute_id", "note")
    absence = add_absence(current_user, manager, **_fields(form, *names))
    missing = substitute_misses_campuses(absence)
    if missing:
        flash(
            _(
                "The substitute does not see the tickets of %(campuses)s: an "
                "administrator can add them to the campus for the time of the absence.",
                campuses=", ".join(missing),
            ),
            "warning",
        )
    return _("Absence entered; the due dates follow it.")


def _change_day(manager: User, form) -> str:
    names = ("school_id", "day", "to_day", "starts", "ends", "kind", "note")
    change_day(current_user, manager, **_fields(form, *names))
    return _("Change saved.")


# What each part of the page adds: its form (and the prefix of its fields), the model of
# its entries, and the service call (which says what to tell the user).
ENTRIES = {
    "visits": (VisitForm, "visit", Visit, _add_visit),
    "absences": (AbsenceForm, "absence", Absence, _add_absence),
    "changes": (ChangeForm, "change", VisitChange, _change_day),
}


@bp.route("/timetable/<int:manager_id>/<any(visits, absences, changes):what>", methods=["POST"])
@login_required
def add(manager_id: int, what: str):
    manager = _manager_or_404(manager_id)
    form_class, prefix, _model, carry_out = ENTRIES[what]
    form = form_class(prefix=prefix)
    _forms(manager, **{f"{prefix}_form": form})
    if form.validate_on_submit():
        with work(form) as attempt:
            message = carry_out(manager, form)
        if attempt.ok:
            return _done(manager, message)
    return _page(manager, form_status(form), **{f"{prefix}_form": form})


@bp.route(
    "/timetable/<int:manager_id>/<any(visits, absences, changes):what>/<int:item_id>/delete",
    methods=["POST"],
)
@login_required
def remove(manager_id: int, what: str, item_id: int):
    manager = _manager_or_404(manager_id)
    item = db.session.get(ENTRIES[what][2], item_id)
    if item is None or item.manager_id != manager.id or not ConfirmForm().validate_on_submit():
        abort(404)
    with work():
        remove_entry(current_user, item)
    return _done(manager, _("Removed."))


@bp.route("/timetable/<int:manager_id>/feed", methods=["POST"])
@login_required
def feed_key(manager_id: int):
    manager = _manager_or_404(manager_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with work():
        if request.form.get("revoke") == "1":
            revoke_calendar_key(current_user, manager)
            message = _("The calendar address no longer works.")
        else:
            new_calendar_key(current_user, manager)
            message = _("New calendar address made; an older one no longer works.")
    return _done(manager, message)
