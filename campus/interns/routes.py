"""Internship pages: the list, setting one up, the internship with its plan (the
supervisor plans and comments, the intern reports), and the intern's start page."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from campus import permissions
from campus.auth.invitations import is_invited
from campus.extensions import db
from campus.formhelpers import form_status
from campus.interns import bp
from campus.interns.certificate import certificate_pdf, sign_off
from campus.interns.forms import (
    ButtonForm,
    EntryForm,
    InternshipForm,
    NoteForm,
    PeriodForm,
    SignOffForm,
    SupervisorForm,
    WeekForm,
)
from campus.interns.plan import (
    add_entry,
    days_ahead,
    delete_entry,
    fill_week,
    supervisor_schools,
    write_comment,
    write_report,
)
from campus.interns.services import (
    change_period,
    change_supervisor,
    create_internship,
    invite_again,
)
from campus.interns.work import tickets_for
from campus.labels import KIND_LABELS, PART_LABELS
from campus.models import Internship, PlanEntry, User
from campus.reports.period import today_in_berlin
from campus.unit_of_work import work


def _internship(internship_id: int) -> Internship:
    internship = db.get_or_404(Internship, internship_id)
    if not permissions.can_view_internship(current_user, internship):
        abort(404)
    return internship


def _editable(internship_id: int) -> Internship:
    """The internship, for its supervisor (or an administrator) to change."""
    internship = _internship(internship_id)
    if not permissions.can_edit_internship(current_user, internship):
        abort(403)
    return internship


def _entry(internship: Internship, entry_id: int) -> PlanEntry:
    entry = db.get_or_404(PlanEntry, entry_id)
    if entry.internship_id != internship.id:
        abort(404)
    return entry


@bp.route("")
@login_required
def index():
    if not permissions.can_run_internships(current_user):
        if permissions.is_intern(current_user) and current_user.internship is not None:
            return redirect(url_for("interns.show", internship_id=current_user.internship.id))
        abort(403)
    internships = db.session.scalars(
        permissions.visible_internships(current_user, select(Internship))
        .options(selectinload(Internship.intern), selectinload(Internship.supervisor))
        .order_by(Internship.starts_on.desc(), Internship.id.desc())
    ).all()
    return render_template("interns/index.html", internships=internships, today=today_in_berlin())


def _supervisor_choices(form) -> None:
    if permissions.is_admin(current_user):
        people = db.session.scalars(
            permissions.managers(select(User)).order_by(User.display_name)
        ).all()
        form.supervisor_id.choices = [SelectChoice(u.id, u.display_name) for u in people]
    else:
        del form.supervisor_id


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not permissions.can_run_internships(current_user):
        abort(403)
    form = InternshipForm()
    _supervisor_choices(form)
    if form.validate_on_submit():
        with work(form) as attempt:
            internship = create_internship(
                current_user,
                email=form.email.data or "",
                display_name=form.display_name.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                supervisor_id=form.supervisor_id.data if "supervisor_id" in form else None,
            )
        if attempt.ok:
            flash(_("The internship is set up; the invitation is on its way."), "success")
            return redirect(url_for("interns.show", internship_id=internship.id))
    return render_template("interns/new.html", form=form), form_status(form)


def _page(internship: Internship, status: int = 200, **forms):
    today = today_in_berlin()
    editor = permissions.can_edit_internship(current_user, internship)
    schools = supervisor_schools(internship)
    entry_form = forms.get("entry") or EntryForm(formdata=None, day=today)
    entry_form.school_id.choices = [SelectChoice(s.id, s.short_name) for s in schools]
    return render_template(
        "interns/show.html",
        internship=internship,
        editor=editor,
        reporter=permissions.writes_reports(current_user, internship),
        invited=editor and is_invited(internship.intern) and internship.ends_on >= today,
        supervisor_form=_supervisor_form(forms.get("supervisor"), internship),
        period=forms.get("period")
        or PeriodForm(formdata=None, starts_on=internship.starts_on, ends_on=internship.ends_on),
        week=forms.get("week") or WeekForm(formdata=None, monday=today),
        entry_form=entry_form,
        note=NoteForm(formdata=None),
        sign=forms.get("sign") or SignOffForm(formdata=None),
        button=ButtonForm(),
        part_labels=PART_LABELS,
        kind_labels=KIND_LABELS,
        tickets=tickets_for(internship),
        today=today,
    ), status


@bp.route("/<int:internship_id>")
@login_required
def show(internship_id: int):
    return _page(_internship(internship_id))


@bp.route("/<int:internship_id>/period", methods=["POST"])
@login_required
def period(internship_id: int):
    internship = _editable(internship_id)
    form = PeriodForm()
    if form.validate_on_submit():
        with work(form) as attempt:
            change_period(current_user, internship, form.starts_on.data, form.ends_on.data)
        if attempt.ok:
            flash(_("The period is saved."), "success")
            return redirect(url_for("interns.show", internship_id=internship.id))
    return _page(internship, form_status(form), period=form)


def _supervisor_form(form: SupervisorForm | None, internship: Internship):
    """Administrators only: hand the internship to another campus manager."""
    if not permissions.is_admin(current_user) or internship.signed_off_at is not None:
        return None
    form = form or SupervisorForm(formdata=None, supervisor_id=internship.supervisor_id)
    _supervisor_choices(form)
    return form


@bp.route("/<int:internship_id>/supervisor", methods=["POST"])
@login_required
def supervisor(internship_id: int):
    internship = _editable(internship_id)
    form = SupervisorForm()
    if form.validate_on_submit():
        with work(form) as attempt:
            change_supervisor(current_user, internship, form.supervisor_id.data)
        if attempt.ok:
            flash(_("The internship has a new supervisor."), "success")
            return redirect(url_for("interns.show", internship_id=internship.id))
    return _page(internship, form_status(form), supervisor=form)


@bp.route("/<int:internship_id>/invitation", methods=["POST"])
@login_required
def invitation(internship_id: int):
    internship = _editable(internship_id)
    form = ButtonForm()
    if form.validate_on_submit():
        with work(form) as attempt:
            invite_again(current_user, internship)
        if attempt.ok:
            flash(_("Invitation sent to %(email)s.", email=internship.intern.email), "success")
        else:  # joined already, or over: said politely, nothing sent
            flash(attempt.error.message, "warning")
    return redirect(url_for("interns.show", internship_id=internship.id))


@bp.route("/<int:internship_id>/week", methods=["POST"])
@login_required
def week(internship_id: int):
    internship = _editable(internship_id)
    form = WeekForm()
    if form.validate_on_submit():
        monday = form.monday.data or today_in_berlin()
        with work(form) as attempt:
            made = fill_week(current_user, internship, monday)
        if attempt.ok:
            flash(ngettext("%(num)d entry planned.", "%(num)d entries planned.", made), "success")
            return redirect(url_for("interns.show", internship_id=internship.id))
    return _page(internship, form_status(form), week=form)


@bp.route("/<int:internship_id>/entries", methods=["POST"])
@login_required
def add(internship_id: int):
    internship = _editable(internship_id)
    form = EntryForm()
    form.school_id.choices = [
        SelectChoice(s.id, s.short_name) for s in supervisor_schools(internship)
    ]
    if form.validate_on_submit():
        with work(form) as attempt:
            add_entry(
                current_user,
                internship,
                day=form.day.data,
                part=form.part.data,
                kind=form.kind.data,
                school_id=form.school_id.data or None,
                title=form.title.data or "",
                task=form.task.data if form.task.data else None,
            )
        if attempt.ok:
            flash(_("The entry is in the plan."), "success")
            return redirect(url_for("interns.show", internship_id=internship.id))
    return _page(internship, form_status(form), entry=form)


@bp.route(
    "/<int:internship_id>/entries/<int:entry_id>/<any(report, comment):what>", methods=["POST"]
)
@login_required
def note(internship_id: int, entry_id: int, what: str):
    internship = _internship(internship_id)
    entry = _entry(internship, entry_id)
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    with work():
        (write_report if what == "report" else write_comment)(current_user, entry, form.text.data)
    flash(_("Saved."), "success")
    return redirect(url_for("interns.show", internship_id=internship.id, _anchor=f"e{entry.id}"))


@bp.route("/<int:internship_id>/entries/<int:entry_id>/delete", methods=["POST"])
@login_required
def remove(internship_id: int, entry_id: int):
    internship = _editable(internship_id)
    entry = _entry(internship, entry_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    with work():
        delete_entry(current_user, entry)
    flash(_("The entry is removed from the plan."), "success")
    return redirect(url_for("interns.show", internship_id=internship.id))


@bp.route("/<int:internship_id>/sign-off", methods=["POST"])
@login_required
def sign(internship_id: int):
    internship = _editable(internship_id)
    form = SignOffForm()
    if form.validate_on_submit():
        with work(form) as attempt:
            sign_off(current_user, internship, form.closing_note.data or "")
        if attempt.ok:
            flash(_("The certificate is signed."), "success")
            return redirect(url_for("interns.show", internship_id=internship.id))
    return _page(internship, form_status(form), sign=form)


@bp.route("/<int:internship_id>/certificate.pdf")
@login_required
def certificate(internship_id: int):
    internship = _internship(internship_id)
    if internship.signed_off_at is None:
        abort(404)
    return Response(
        certificate_pdf(internship),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="praktikum-{internship.id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


def intern_home():
    """The intern's start page: today's and tomorrow's plan, her tickets, and the tickets
    handed over to the interns that nobody took on yet."""
    internship = current_user.internship
    if internship is None:
        abort(404)
    return render_template(
        "interns/home.html",
        internship=internship,
        days=days_ahead(internship, today_in_berlin(), 2),
        part_labels=PART_LABELS,
        tickets=tickets_for(internship),
    )
