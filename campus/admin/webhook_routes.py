"""Administration pages for webhooks: add receivers, pause, resume and delete them, rotate
their secrets, see deliveries. A secret is shown once, on the page right after it was made."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from campus.admin import bp
from campus.admin.forms import ConfirmForm, WebhookForm
from campus.extensions import db
from campus.formhelpers import form_status
from campus.guards import admin_required
from campus.models import Campus, Webhook, WebhookDelivery
from campus.unit_of_work import work
from campus.webhooks.config import (
    delete_webhook,
    rotate_secret,
    save_webhook,
    set_webhook_active,
)

SHOW_ONCE = "campus_webhook_secret"  # the new secret, for the next page only


@bp.route("/webhooks", methods=["GET", "POST"])
@admin_required
def webhooks():
    form = WebhookForm()
    form.campus_id.choices = [SelectChoice("", _("the system-house queue (all campuses)"))] + [
        SelectChoice(c.id, c.name)
        for c in db.session.scalars(db.select(Campus).order_by(Campus.name))
    ]
    if form.validate_on_submit():
        with work(form) as attempt:
            hook = save_webhook(current_user, form.url.data, form.campus_id.data)
            shown = (hook.id, hook.secret)
        if attempt.ok:
            session[SHOW_ONCE] = shown
            flash(_("Webhook added."), "success")
            return redirect(url_for("admin.webhooks"))
    hooks = db.session.scalars(
        db.select(Webhook).options(selectinload(Webhook.campus)).order_by(Webhook.id)
    ).all()
    deliveries = db.session.scalars(
        db.select(WebhookDelivery)
        .options(selectinload(WebhookDelivery.webhook))
        .order_by(WebhookDelivery.id.desc())
        .limit(50)
    ).all()
    new_secret = session.pop(SHOW_ONCE, None) if request.method == "GET" else None
    return render_template(
        "admin/webhooks.html",
        form=form,
        hooks=hooks,
        deliveries=deliveries,
        confirm=ConfirmForm(),
        new_secret=new_secret,
    ), form_status(form)


@bp.route("/webhooks/<int:webhook_id>/active", methods=["POST"])
@admin_required
def webhook_active(webhook_id: int):
    hook = db.get_or_404(Webhook, webhook_id)
    if ConfirmForm().validate_on_submit():
        with work():
            set_webhook_active(current_user, hook, request.form.get("active") == "1")
    return redirect(url_for("admin.webhooks"))


@bp.route("/webhooks/<int:webhook_id>/secret", methods=["POST"])
@admin_required
def webhook_secret(webhook_id: int):
    hook = db.get_or_404(Webhook, webhook_id)
    if ConfirmForm().validate_on_submit():
        with work():
            session[SHOW_ONCE] = (hook.id, rotate_secret(current_user, hook))
        flash(_("New secret made; the old one no longer signs."), "success")
    return redirect(url_for("admin.webhooks"))


@bp.route("/webhooks/<int:webhook_id>/delete", methods=["POST"])
@admin_required
def webhook_delete(webhook_id: int):
    hook = db.get_or_404(Webhook, webhook_id)
    if ConfirmForm().validate_on_submit():
        with work():
            delete_webhook(current_user, hook)
        flash(_("Webhook deleted."), "success")
    return redirect(url_for("admin.webhooks"))
