"""Administration page for mail: the outbox with each mail's state, the replies received,
and "send again" for a mail that failed."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from campus.admin import bp
from campus.admin.forms import ConfirmForm
from campus.extensions import db
from campus.formhelpers import contains_pattern, db_int
from campus.guards import admin_required
from campus.mail.sending import retry_failed
from campus.models import InboundMail, Mail, MailStatus
from campus.unit_of_work import work

PAGE = 50


@bp.route("/mails")
@admin_required
def mails():
    status = request.args.get("status", "")
    who = request.args.get("who", "").strip()[:254]
    before = request.args.get("before", type=db_int)
    query = select(Mail).order_by(Mail.id.desc())
    if status in set(MailStatus):
        query = query.where(Mail.status == status)
    if who:
        pattern = contains_pattern(who)
        query = query.where(
            or_(
                Mail.to_address.ilike(pattern, escape="\\"),
                Mail.subject.ilike(pattern, escape="\\"),
            )
        )
    if before:
        query = query.where(Mail.id < before)
    rows = db.session.scalars(query.limit(PAGE + 1)).all()
    older_url = None
    if len(rows) > PAGE:
        kept = {k: v for k, v in request.args.items() if k in ("status", "who")}
        older_url = url_for("admin.mails", **kept, before=rows[PAGE - 1].id)
    counts = dict(db.session.execute(select(Mail.status, func.count()).group_by(Mail.status)).all())
    received = db.session.scalars(
        select(InboundMail).order_by(InboundMail.id.desc()).limit(20)
    ).all()
    return render_template(
        "admin/mails.html",
        mails=rows[:PAGE],
        older_url=older_url,
        counts=counts,
        statuses=list(MailStatus),
        chosen={"status": status, "who": who},
        received=received,
        retry=ConfirmForm(),
    )


@bp.route("/mails/<int:mail_id>/retry", methods=["POST"])
@admin_required
def retry_mail(mail_id: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        with work() as attempt:
            retried = retry_failed(current_user, mail_id)
        if attempt.ok and retried:
            flash(_("The mail is being sent again."), "success")
        elif attempt.ok:
            flash(_("Only a mail that failed can be sent again."), "warning")
    return redirect(url_for("admin.mails", status=request.args.get("status", "")))
