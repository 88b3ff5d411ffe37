"""The privacy page for everyone who uses Campus (/datenschutz, no login needed): which
data Campus keeps about whom and why, who sees what, for how long (the current retention
periods), how to get one's data, and whom to ask (CAMPUS_PRIVACY_CONTACT)."""

from flask import Blueprint, current_app, render_template

from campus.privacy.settings import privacy_settings

bp = Blueprint("privacy", __name__)

# A person's data, as JSON and as a readable PDF (the profile's export).
DATA_JSON = "/profile/data.json"
DATA_PDF = "/profile/data.pdf"


@bp.route("/datenschutz")
def page():
    return render_template(
        "privacy/page.html",
        settings=privacy_settings(),
        contact=str(current_app.config.get("PRIVACY_CONTACT") or "").strip(),
        data_json=DATA_JSON,
        data_pdf=DATA_PDF,
    )
