"""Administration pages: campuses, schools, users, the audit trail (role admin only).

The start page and the report settings are in campus/admin/report_routes.py, the webhook
pages in campus/admin/webhook_routes.py."""

from datetime import date, timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_
from sqlalchemy.orm import contains_eager, selectinload
from wtforms import SelectChoice

from campus.admin import bp
from campus.admin.forms import (
    CampusForm,
    ConfirmForm,
    SchoolForm,
    SearchForm,
    UserForm,
)
from campus.admin.services import (
    save_campus,
    save_school,
    save_user,
    set_user_active,
    ticket_count,
)
from campus.auth.invitations import is_invited
from campus.extensions import db
from campus.formhelpers import contains_pattern, db_int, form_status, page_number
from campus.guards import admin_required
from campus.models import AuditAction, AuditEntry, Campus, Role, School, User
from campus.privacy.anonymise import placeholder_address
from campus.privacy.settings import privacy_settings
from campus.reports.period import berlin_midnight
from campus.sso.links import linked_ids
from campus.unit_of_work import work

# --- campuses --------------------------------------------------------------


@bp.route("/campuses")
@admin_required
def campuses():
    rows = db.session.execute(
        db.select(Campus, func.count(School.id))
        .outerjoin(School, School.campus_id == Campus.id)
        .group_by(Campus.id)
        .order_by(Campus.name)
        .options(selectinload(Campus.managers))
    ).all()
    return render_template("admin/campuses.html", rows=rows)


@bp.route("/campuses/new", methods=["GET", "POST"])
@bp.route("/campuses/<int:campus_id>/edit", methods=["GET", "POST"])
@admin_required
def campus_form(campus_id: int | None = None):
    campus = db.get_or_404(Campus, campus_id) if campus_id else None
    form = CampusForm(obj=campus)
    if form.validate_on_submit():
        with work(form) as attempt:
            saved = save_campus(current_user, form.name.data, campus)
        if attempt.ok:
            flash(_("Campus “%(name)s” saved.", name=saved.name), "success")
            return redirect(url_for("admin.campuses"))
    return render_template("admin/campus_form.html", form=form, campus=campus), form_status(form)


# --- schools ---------------------------------------------------------------


def _campus_choices():
    campuses = db.session.scalars(db.select(Campus).order_by(Campus.name))
    return [SelectChoice("", _("– choose a campus –"))] + [
        SelectChoice(c.id, c.name) for c in campuses
    ]


@bp.route("/schools")
@admin_required
def schools():
    campus_id = request.args.get("campus", type=db_int)
    query = (
        db.select(School)
        .join(School.campus)
        .options(contains_eager(School.campus))
        .order_by(Campus.name, School.name)
    )
    if campus_id:
        query = query.where(School.campus_id == campus_id)
    page = db.paginate(
        query, page=page_number(), per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False
    )
    campuses = db.session.scalars(db.select(Campus).order_by(Campus.name)).all()
    return render_template("admin/schools.html", page=page, campuses=campuses, campus_id=campus_id)


@bp.route("/schools/new", methods=["GET", "POST"])
@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@admin_required
def school_form(school_id: int | None = None):
    school = db.get_or_404(School, school_id) if school_id else None
    form = SchoolForm(obj=school)
    form.campus_id.choices = _campus_choices()
    if school is None and request.method == "GET":
        form.campus_id.data = request.args.get("campus", type=db_int)
    if form.validate_on_submit():
        with work(form) as attempt:
            saved = save_school(
                current_user,
                name=form.name.data,
                short_name=form.short_name.data,
                school_number=form.school_number.data,
                address=form.address.data,
                campus_id=form.campus_id.data,
                school=school,
            )
        if attempt.ok:
            flash(_("School “%(name)s” saved.", name=saved.name), "success")
            return redirect(url_for("admin.schools"))
    return render_template("admin/school_form.html", form=form, school=school), form_status(form)


# --- users -----------------------------------------------------------------


@bp.route("/users")
@admin_required
def users():
    search = SearchForm(request.args)
    role = request.args.get("role")
    query = (
        db.select(User)
        .options(selectinload(User.school), selectinload(User.managed_campuses))
        .where(~User.email.like(placeholder_address("%")))  # the roles anonymised tickets name
        .order_by(User.display_name, User.id)
    )
    if search.validate() and search.q.data:
        pattern = f"%{search.q.data.strip().lower()}%"
        query = query.where(
            or_(func.lower(User.display_name).like(pattern), User.email.like(pattern))
        )
    if role in set(Role):
        query = query.where(User.role == role)
    page = db.paginate(
        query, page=page_number(), per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False
    )
    linked = linked_ids([u.id for u in page.items])  # sign in with the school account
    invited = {u.id for u in page.items if is_invited(u)} - linked  # no password set yet
    return render_template(
        "admin/users.html", page=page, search=search, role=role, invited=invited, linked=linked
    )


def _user_form_choices(form: UserForm) -> None:
    schools = db.session.execute(
        db.select(School.id, School.name, Campus.name)
        .join(School.campus)
        .order_by(Campus.name, School.name)
    ).all()
    form.school_id.choices = [SelectChoice("", _("– no school –"))] + [
        SelectChoice(sid, f"{name} ({campus})") for sid, name, campus in schools
    ]
    form.campus_ids.choices = [
        SelectChoice(c.id, c.name)
        for c in db.session.scalars(db.select(Campus).order_by(Campus.name))
    ]


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def user_form(user_id: int | None = None):
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    _user_form_choices(form)
    if request.method == "GET" and user is not None:
        form.campus_ids.data = [c.id for c in user.managed_campuses]
    form.password.description = (
        _("Leave empty to keep the current password.")
        if user
        else _(
            "Leave empty to send an invitation by e-mail: the person sets their own "
            "password. Or set an initial password of at least 10 characters."
        )
    )
    if form.validate_on_submit():
        address = user.email if user else None
        with work(form) as attempt:
            saved = save_user(
                current_user,
                email=form.email.data,
                display_name=form.display_name.data,
                role=form.role.data,
                school_id=form.school_id.data,
                campus_ids=[i for i in form.campus_ids.data or [] if i is not None],
                password=form.password.data or None,
                user=user,
                invite=True,
            )
        if attempt.ok:
            flash(_("User “%(name)s” saved.", name=saved.display_name), "success")
            if saved.active and is_invited(saved) and saved.email != address:  # new or moved
                flash(_("Invitation sent to %(email)s.", email=saved.email), "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        confirm=ConfirmForm(),
        tickets=ticket_count(user) if user else 0,
        user_days=privacy_settings().user_days,
        invited=user is not None and is_invited(user),
    ), form_status(form)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        activate = request.form.get("active") == "1"
        with work():
            set_user_active(current_user, user, activate)
        if activate:
            flash(_("%(name)s can log in again.", name=user.display_name), "success")
        else:
            flash(
                _(
                    "%(name)s has been deactivated and can no longer log in.",
                    name=user.display_name,
                ),
                "success",
            )
    return redirect(url_for("admin.user_form", user_id=user.id))


AUDIT_PAGE = 50


@bp.route("/audit")
@admin_required
def audit_trail():
    """Who did what to accounts, tokens, webhooks and exports; newest first, filtered."""
    action = request.args.get("action", "")
    who = request.args.get("who", "").strip()[:254]
    start = _day(request.args.get("from"))
    end = _day(request.args.get("to"))
    before = request.args.get("before", type=db_int)
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action in set(AuditAction):
        query = query.where(AuditEntry.action == action)
    if who:
        pattern = contains_pattern(who)
        query = query.where(
            or_(AuditEntry.actor_label.ilike(pattern, escape="\\"), AuditEntry.address == who)
        )
    if start is not None:
        query = query.where(AuditEntry.at >= berlin_midnight(start))
    if end is not None:
        query = query.where(AuditEntry.at < berlin_midnight(end + timedelta(days=1)))
    if before:
        query = query.where(AuditEntry.id < before)
    entries = db.session.scalars(query.limit(AUDIT_PAGE + 1)).all()
    older_url = None
    if len(entries) > AUDIT_PAGE:
        kept = {k: v for k, v in request.args.items() if k in ("action", "who", "from", "to")}
        older_url = url_for("admin.audit_trail", **kept, before=entries[AUDIT_PAGE - 1].id)
    return render_template(
        "admin/audit.html",
        entries=entries[:AUDIT_PAGE],
        older_url=older_url,
        actions=list(AuditAction),
        chosen={"action": action, "who": who, "from": start, "to": end},
    )


def _day(value: str | None) -> date | None:
    """A date from the filter (YYYY-MM-DD within 2000-2099); anything else is no filter."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2099 else None
