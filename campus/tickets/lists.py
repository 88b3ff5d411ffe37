"""The ticket lists: a teacher's own tickets and the support side's queues."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campus.extensions import db
from campus.models import Ticket, TicketStatus, utcnow
from campus.pagination import BadCursor, KeysetPage, keyset_page
from campus.permissions import works_a_queue
from campus.reports.period import today_in_berlin
from campus.surveys.forms import SurveyForm
from campus.surveys.services import survey_for
from campus.tickets import bp
from campus.tickets.queries import (
    LIST_OPTIONS,
    SORT_COLUMNS,
    TicketFilter,
    end_of_day,
    filter_from_args,
    filter_options,
    ticket_query,
)
from campus.tickets.queue_view import (
    COUNT_CAP,
    active_tab,
    filter_args,
    filter_chips,
    queue_tabs,
    tab_counts,
)


def _page(query, sort: str) -> KeysetPage:
    """The page the link asks for (after= / before=); the first one if its link is broken."""
    columns, descending = SORT_COLUMNS[sort]
    per_page = current_app.config["ITEMS_PER_PAGE"]
    try:
        return keyset_page(
            query,
            columns,
            descending,
            after=request.args.get("after"),
            before=request.args.get("before"),
            per_page=per_page,
            options=LIST_OPTIONS,
        )
    except BadCursor:
        flash(_("That page link is no longer valid; here is the first page."), "warning")
        return keyset_page(query, columns, descending, per_page=per_page, options=LIST_OPTIONS)


# What waits for the teacher herself: a question to answer, a solution to confirm.
NEEDS_REPORTER = (TicketStatus.WAITING, TicketStatus.RESOLVED)


@bp.route("/mine")
@login_required
def mine():
    """Her tickets, newest first; those that wait for her (a question, a solution to
    confirm) in a list of their own above the rest."""
    query = ticket_query(current_user, TicketFilter(sort="newest")).where(
        Ticket.reporter_id == current_user.id
    )
    asks_her = Ticket.status.in_(NEEDS_REPORTER)
    needs_you = []
    first_page = not (request.args.get("after") or request.args.get("before"))
    if first_page:
        needs_you = db.session.scalars(
            query.where(asks_her)
            .options(*LIST_OPTIONS)
            .order_by(Ticket.status.desc(), Ticket.created_at.desc())
            .limit(50)
        ).all()
    page = _page(query.where(~asks_her), "newest")
    survey = survey_for(current_user, today_in_berlin()) if first_page else None
    return render_template(
        "tickets/mine.html",
        page=page,
        needs_you=needs_you,
        survey=survey,
        survey_form=SurveyForm() if survey else None,
    )


@bp.route("/")
@login_required
def queue():
    if not works_a_queue(current_user):
        return redirect(url_for("tickets.mine"))
    f = filter_from_args(request.args, current_user)
    now = utcnow()
    page = _page(ticket_query(current_user, f, now), f.sort)
    options = filter_options(current_user, f)
    tabs = queue_tabs(current_user)
    tab = active_tab(tabs, f)
    names = {("campus_id", c.id): c.name for c in options["campuses"]}
    names.update({("school_id", s.id): s.name for s in options["schools"]})
    names.update({("assignee", str(u.id)): u.display_name for u in options["assignees"]})
    return render_template(
        "tickets/queue.html",
        page=page,
        f=f,
        now=now,
        midnight=end_of_day(now),
        tabs=tabs,
        current_tab=tab,
        counts=tab_counts(current_user, tabs, now),
        cap=COUNT_CAP,
        chips=filter_chips(f, tab, names),
        filter_args=filter_args,
        # a campus was just chosen to narrow the school list: show that list
        open_filters=bool(
            options["schools_need_campus"] is False and f.campus_id and not f.school_id
        ),
        **options,
    )
