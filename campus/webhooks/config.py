"""Webhook configuration: administrators add, pause and resume the system house's receivers."""

import secrets
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from campus.exceptions import InvalidInput, NotAllowed
from campus.extensions import db
from campus.models import User, Webhook
from campus.permissions import can_administer


def save_webhook(actor: User, url: str, campus_id: int | None) -> Webhook:
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators configure webhooks."))
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise InvalidInput(_l("Please enter an http:// or https:// address."), "url")
    webhook = Webhook(url=url, campus_id=campus_id or None, secret=secrets.token_hex(32))
    db.session.add(webhook)
    db.session.flush()
    return webhook


def set_webhook_active(actor: User, webhook: Webhook, active: bool) -> None:
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators configure webhooks."))
    webhook.active = active
    db.session.flush()
