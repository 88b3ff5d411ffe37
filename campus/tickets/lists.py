"""The ticket lists: a teacher's own tickets and the support side's queues."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from campus.models import Ticket, utcnow
from campus.pagination import BadCursor, KeysetPage, keyset_page
from campus.permissions import works_a_queue
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


@bp.route("/mine")
@login_required
def mine():
    query = ticket_query(current_user, TicketFilter(sort="newest")).where(
        Ticket.reporter_id == current_user.id
    )
    return render_template("tickets/mine.html", page=_page(query, "newest"))


@bp.route("/")
@login_required
def queue():
    if not works_a_queue(current_user):
        return redirect(url_for("tickets.mine"))
    f = filter_from_args(request.args, current_user)
    page = _page(ticket_query(current_user, f), f.sort)
    now = utcnow()
    return render_template(
        "tickets/queue.html",
        page=page,
        f=f,
        now=now,
        midnight=end_of_day(now),
        **filter_options(current_user, f),
    )
