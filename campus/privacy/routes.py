"""The privacy page for everyone (/datenschutz, no login needed: which data Campus keeps
about whom and why, who sees what, for how long, whom to ask), and a person's data to
download (GDPR Art. 15 and 20): one's own, linked from the profile pages, and anyone's by
an administrator, for a request made to the school board. JSON (complete,
machine-readable) and PDF (readable, in the person's language). Each download is recorded
in the audit trail: who, whose (as "#id", no name), which format."""

import json

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from campus.audit import audit
from campus.extensions import db, limiter
from campus.guards import admin_required
from campus.models import AuditAction, User, utcnow
from campus.permissions import can_export_personal_data
from campus.privacy.export import personal_data
from campus.privacy.export_pdf import personal_data_pdf
from campus.privacy.settings import privacy_settings
from campus.unit_of_work import work

bp = Blueprint("privacy", __name__)

# One's own: a handful a day is plenty; each one reads everything about the person.
OWN_DOWNLOADS = "20 per hour"
FORMATS = {"json": "application/json", "pdf": "application/pdf"}


def _own_key() -> str:
    user_id = getattr(current_user, "id", None)
    return f"personal-data:{user_id}" if user_id is not None else request.remote_addr or ""


own_limit = limiter.shared_limit(OWN_DOWNLOADS, scope="personal-data", key_func=_own_key)


@bp.route("/datenschutz")
def page():
    return render_template(
        "privacy/page.html",
        settings=privacy_settings(),
        contact=str(current_app.config.get("PRIVACY_CONTACT") or "").strip(),
        data_json=url_for("privacy.own_json"),
        data_pdf=url_for("privacy.own_pdf"),
    )


@bp.route("/profile/data.json")
@login_required
@own_limit
def own_json():
    return _download(current_user._get_current_object(), "json")


@bp.route("/profile/data.pdf")
@login_required
@own_limit
def own_pdf():
    return _download(current_user._get_current_object(), "pdf")


@bp.route("/admin/users/<int:user_id>/data.json")
@admin_required
def user_json(user_id: int):
    return _download(db.get_or_404(User, user_id), "json")


@bp.route("/admin/users/<int:user_id>/data.pdf")
@admin_required
def user_pdf(user_id: int):
    return _download(db.get_or_404(User, user_id), "pdf")


def _download(person: User, kind: str):
    if not can_export_personal_data(current_user, person):
        abort(403)
    now = utcnow()
    data = personal_data(person, now)
    if kind == "pdf":
        body = personal_data_pdf(data, person.locale)
    else:
        body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    person_id = person.id
    with work():
        audit(
            AuditAction.DATA_EXPORTED,
            actor=current_user._get_current_object(),
            subject=f"#{person_id}",
            detail=kind.upper(),
        )
    filename = f"campus-data-{person_id}-{now:%Y-%m-%d}.{kind}"
    response = current_app.response_class(body, mimetype=FORMATS[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
