"""Sign-in for administrators: the school accounts' providers (with the addresses to
register there), passwords for everyone or administrators only, the daily sync, and the
linked users with a way to unlink."""

import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campus import jobs
from campus.admin import bp
from campus.admin.forms import ConfirmForm, SearchForm
from campus.extensions import db
from campus.formhelpers import page_number
from campus.guards import admin_required
from campus.models import SsoLink
from campus.sso.forms import PasswordsForm, UnlinkForm
from campus.sso.links import linked_users, links_per_provider, unlink
from campus.sso.providers import providers
from campus.sso.settings import set_passwords_for_all, sign_in_settings
from campus.unit_of_work import work
from campus.urls import external_url


@bp.route("/sign-in")
@admin_required
def sign_in():
    settings = sign_in_settings()
    search = SearchForm(request.args)
    chosen = request.args.get("provider") or None
    query = linked_users(chosen, search.q.data if search.validate() else None)
    page = db.paginate(
        query, page=page_number(), per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False
    )
    addresses = {p.name: external_url("sso.callback", name=p.name) for p in providers()}
    return render_template(
        "admin/sign_in.html",
        providers=providers(),
        names={p.name: p.label for p in providers()},
        counts=links_per_provider(),
        addresses=addresses,
        after_logout=external_url("auth.login"),
        settings=settings,
        last_sync={"checked": 0, "removed": 0, "failed": 0, "held": 0}
        | json.loads(settings.last_sync_summary or "{}"),
        passwords=PasswordsForm(formdata=None, for_all=settings.password_for_all),
        confirm=ConfirmForm(),
        unlink_form=UnlinkForm(),
        page=page,
        search=search,
        chosen=chosen,
    )


@bp.route("/sign-in/passwords", methods=["POST"])
@admin_required
def sign_in_passwords():
    form = PasswordsForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.for_all.data and not providers():
        flash(_("Without a school account's provider everyone needs a password."), "danger")
        return redirect(url_for("admin.sign_in"))
    with work(form) as attempt:
        set_passwords_for_all(current_user, form.for_all.data)
    if attempt.ok:
        flash(
            _("Everyone may sign in with a password.")
            if form.for_all.data
            else _("Only administrators sign in with a password now."),
            "success",
        )
    return redirect(url_for("admin.sign_in"))


@bp.route("/sign-in/sync", methods=["POST"])
@admin_required
def sign_in_sync():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    jobs.enqueue("sso.sync")
    flash(_("The sync has started; its result shows here when it is done."), "info")
    return redirect(url_for("admin.sign_in"))


@bp.route("/sign-in/links/<int:link_id>/unlink", methods=["POST"])
@admin_required
def sign_in_unlink(link_id: int):
    link = db.get_or_404(SsoLink, link_id)
    if not UnlinkForm().validate_on_submit():
        abort(400)
    name = link.user.display_name
    with work():
        unlink(current_user, link)
    flash(_("%(name)s is no longer linked with the school account.", name=name), "success")
    return redirect(url_for("admin.sign_in"))
