"""While a teacher reports: articles that may solve the fault herself, under the title
field (campus.js asks for them as she types), and "Das hat geholfen", which counts her
self-help once per report form and files no ticket. What she typed is not stored."""

import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from campus.extensions import db, limiter
from campus.formhelpers import db_int
from campus.knowledge.search import search_articles
from campus.knowledge.services import record_use
from campus.models import Article, Device
from campus.permissions import article_audiences, can_report, can_report_at_school
from campus.tickets import bp
from campus.tickets.forms import SelfHelpForm
from campus.unit_of_work import work

SHOWN = 3
WORDS_FROM = 3  # letters typed before anything is suggested
WORDS_MAX = 200  # the title's length: more is not looked at


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="campus.self-help")


def issue_form_key() -> str:
    """The report form's one-time key, signed for its teacher: a self-help counts once per
    form, and no one counts under a key she was not given."""
    return _signer().dumps([current_user.id, secrets.token_urlsafe(18)])


def _once_key(signed: str) -> str | None:
    """The key's random part if it was issued to the current teacher, else None."""
    try:
        user_id, token = _signer().loads(signed or "")
    except (BadSignature, ValueError, TypeError):
        return None
    if user_id != current_user.id or not isinstance(token, str) or not token:
        return None
    return token


@bp.route("/new/suggestions")
@login_required
@limiter.limit("120 per minute")
def suggestions():
    if not can_report(current_user):
        abort(403)
    words = request.args.get("q", "")[:WORDS_MAX]
    category = request.args.get("category") or None
    model = None
    device_id = request.args.get("device", type=db_int)
    device = db.session.get(Device, device_id) if device_id else None
    if device is not None and can_report_at_school(current_user, device.school_id):
        model = device.model
    found: list[Article] = []
    if len(words.strip()) >= WORDS_FROM:
        results = search_articles(
            words,
            audiences=article_audiences(current_user),
            category=category,
            device_model=model,
            limit=SHOWN,
        )
        found = [article for article, _score in results]
    response = current_app.make_response(
        render_template("tickets/_suggestions.html", articles=found)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/new/helped", methods=["POST"])
@login_required
@limiter.limit("10 per hour")  # each fresh form counts once; a person helps herself rarely
def helped():
    if not can_report(current_user):
        abort(403)
    form = SelfHelpForm()
    once_key = _once_key(form.key.data) if form.validate_on_submit() else None
    try:
        article = db.session.get(Article, db_int(form.article_id.data))
    except ValueError:
        article = None
    if once_key is None or article is None:
        abort(400)
    try:
        with work():
            record_use(current_user, article, once_key=once_key)
    except IntegrityError:  # the same form sent twice at the same moment: counted once
        db.session.rollback()
    flash(_("Glad it works again. Thank you for letting us know – no ticket was filed."), "success")
    return redirect(url_for("tickets.mine"))
