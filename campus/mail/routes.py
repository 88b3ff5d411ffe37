"""Pages reached from mails: the one-click answer to a solution, and (in development
only) the mails Campus wrote, at /dev/mails.

The answer links work without logging in: the signed link is the teacher's authority
for this one answer on this one ticket. Opening a link changes nothing (mail programs
and virus scanners open links on their own); the page asks for one click, sent with
the page's CSRF token.
"""

from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from campus.extensions import db
from campus.mail import links
from campus.mail.sending import mail_folder
from campus.models import EventKind, Ticket, TicketEvent, User
from campus.tickets.actions import ACTIONS
from campus.tickets.feedback import feedback_for, give_feedback
from campus.tickets.forms import FeedbackForm
from campus.tickets.workflow import REOPEN_DAYS, Action
from campus.unit_of_work import work

bp = Blueprint("mail", __name__)
ANSWER_MAX_AGE = timedelta(days=REOPEN_DAYS)  # as long as the teacher may reopen
FEEDBACK_MAX_AGE = timedelta(days=30)

ANSWERS = {"solved": Action.CONFIRM, "not-solved": Action.REOPEN}
DECIDING = (EventKind.RESOLVED, EventKind.CONFIRMED, EventKind.REOPENED)


class SolvedForm(FlaskForm):
    pass


class NotSolvedForm(FlaskForm):
    text = TextAreaField(
        _l("What still does not work?"),
        validators=[DataRequired(), Length(max=10_000)],
        render_kw={"rows": 4},
    )


def _answerable(token: str) -> tuple[Ticket | None, User | None, str]:
    """The ticket and teacher a link stands for, and "" if it may still be answered,
    else why not ("expired", "invalid", "spent")."""
    try:
        ticket_id, user_id, trail_id = links.unsign(links.ANSWER, token, ANSWER_MAX_AGE)
    except links.LinkRefused as refused:
        return None, None, "expired" if refused.expired else "invalid"
    except ValueError:
        return None, None, "invalid"
    ticket = db.session.get(Ticket, ticket_id) if isinstance(ticket_id, int) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if ticket is None or user is None or ticket.reporter_id != user.id or not user.active:
        return None, None, "invalid"
    latest = db.session.scalar(
        select(TicketEvent.id)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind.in_(DECIDING))
        .order_by(TicketEvent.id.desc())
        .limit(1)
    )
    if latest != trail_id:
        return ticket, user, "spent"  # confirmed, reopened, or resolved anew since
    return ticket, user, ""


@bp.route("/answer/<token>/<answer>", methods=["GET", "POST"])
def answer(token: str, answer: str):
    action = ANSWERS.get(answer)
    if action is None:
        abort(404)
    ticket, user, refused = _answerable(token)
    form = SolvedForm() if action == Action.CONFIRM else NotSolvedForm()
    if not refused and form.validate_on_submit():
        spec = ACTIONS[action]
        command = spec.command_from_form(form) if action == Action.REOPEN else spec.command()
        with work(form) as attempt:
            spec.take(user, ticket, command)
        if attempt.ok:
            rate = action == Action.CONFIRM and feedback_for(ticket) is None
            return render_template(
                "mail/answered.html",
                ticket=ticket,
                action=action.value,
                feedback_token=links.sign(links.FEEDBACK, [ticket.id, user.id]) if rate else "",
                form=FeedbackForm(formdata=None),
            )
    status = 200 if not refused else (410 if refused in ("expired", "spent") else 404)
    if not refused and form.errors:
        status = 422
    return (
        render_template(
            "mail/answer.html",
            ticket=ticket,
            reader=user,
            form=form,
            action=action.value,
            refused=refused,
        ),
        status,
    )


@bp.route("/rate/<token>", methods=["GET", "POST"])
def feedback(token: str):
    """The teacher's rating of a solution, from the page her "Yes, solved" led to."""
    try:
        ticket_id, user_id = links.unsign(links.FEEDBACK, token, FEEDBACK_MAX_AGE)
    except (links.LinkRefused, ValueError):
        abort(404)
    ticket = db.session.get(Ticket, ticket_id) if isinstance(ticket_id, int) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if ticket is None or user is None or not user.active or ticket.reporter_id != user.id:
        abort(404)
    form = FeedbackForm()
    done = feedback_for(ticket) is not None
    if not done and form.validate_on_submit():
        with work(form) as attempt:
            give_feedback(user, ticket, form.rating.data == "up", form.comment.data)
        done = attempt.ok
    return render_template(
        "mail/feedback.html", ticket=ticket, form=form, token=token, done=done
    ), (422 if form.errors else 200)


# --- development: the mails Campus wrote ------------------------------------------------------


def _dev_only() -> None:
    if current_app.config.get("CAMPUS_ENV") != "development":
        abort(404)


@bp.route("/dev/mails")
def dev_mails():
    _dev_only()
    folder = Path(mail_folder())
    files = sorted(folder.glob("*.eml"), reverse=True)[:200] if folder.is_dir() else []
    mails = []
    for path in files:
        with path.open("rb") as handle:
            headers = BytesParser(policy=policy.default).parse(handle, headersonly=True)
        mails.append(
            {"name": path.name, "to": headers["To"], "subject": headers["Subject"], "at": path}
        )
    return render_template("mail/dev_mails.html", mails=mails, folder=folder)


@bp.route("/dev/mails/<name>")
def dev_mail(name: str):
    _dev_only()
    folder = Path(mail_folder())
    path = folder / name
    if "/" in name or not name.endswith(".eml") or not path.is_file():
        abort(404)
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return render_template(
        "mail/dev_mail.html",
        message=message,
        name=name,
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
        raw=request.args.get("raw") == "1" and path.read_text("utf-8", "replace"),
    )
