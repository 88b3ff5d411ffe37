"""The ticket lists: a teacher's own tickets and the support side's queues."""

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from campus.extensions import db
from campus.models import Ticket
from campus.permissions import works_a_queue
from campus.tickets import bp
from campus.tickets.queries import TicketFilter, filter_from_args, filter_options, ticket_query


def _per_page() -> int:
    return current_app.config["ITEMS_PER_PAGE"]


@bp.route("/mine")
@login_required
def mine():
    query = ticket_query(current_user, TicketFilter(sort="newest")).where(
        Ticket.reporter_id == current_user.id
    )
    page = db.paginate(query, per_page=_per_page(), error_out=False)
    return render_template("tickets/mine.html", page=page)


@bp.route("/")
@login_required
def queue():
    if not works_a_queue(current_user):
        return redirect(url_for("tickets.mine"))
    f = filter_from_args(request.args, current_user)
    page = db.paginate(ticket_query(current_user, f), per_page=_per_page(), error_out=False)
    return render_template("tickets/queue.html", page=page, f=f, **filter_options(current_user))
