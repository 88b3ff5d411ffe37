"""Webhook configuration: administrators add, pause, resume and delete the system house's
receivers, and rotate their secrets (a secret is shown once, when it is made)."""

import secrets
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from campus.audit import audit
from campus.exceptions import InvalidInput, NotAllowed
from campus.extensions import db
from campus.models import AuditAction, User, Webhook, WebhookDelivery
from campus.permissions import can_administer
from campus.webhooks.targets import RefusedTarget, check


def save_webhook(actor: User, url: str, campus_id: int | None) -> Webhook:
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators configure webhooks."))
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise InvalidInput(_l("Please enter an http:// or https:// address."), "url")
    try:
        check(url)
    except RefusedTarget as refused:
        if refused.reason == "host name not found":
            raise InvalidInput(_l("This host name could not be found."), "url") from refused
        raise InvalidInput(
            _l(
                "Campus does not send to this address: it belongs to an internal network "
                "(or is not a plain web address). If the receiver really is inside your "
                "network, the operator can allow its network in "
                "CAMPUS_WEBHOOK_ALLOWED_NETWORKS."
            ),
            "url",
        ) from refused
    webhook = Webhook(url=url, campus_id=campus_id or None, secret=new_secret())
    db.session.add(webhook)
    db.session.flush()
    audit(AuditAction.WEBHOOK_ADDED, actor=actor, subject=_named(webhook))
    return webhook


def _named(webhook: Webhook) -> str:
    return f"#{webhook.id} {webhook.url}"


def set_webhook_active(actor: User, webhook: Webhook, active: bool) -> None:
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators configure webhooks."))
    webhook.active = active
    db.session.flush()
    state = "on" if active else "off"
    audit(AuditAction.WEBHOOK_SWITCHED, actor=actor, subject=_named(webhook), detail=state)


def new_secret() -> str:
    return secrets.token_hex(32)


def rotate_secret(actor: User, webhook: Webhook) -> str:
    """A new secret for the webhook (the old one stops signing at once); returned to be
    shown this once."""
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators configure webhooks."))
    webhook.secret = new_secret()
    db.session.flush()
    audit(AuditAction.WEBHOOK_SECRET_ROTATED, actor=actor, subject=_named(webhook))
    return webhook.secret


def delete_webhook(actor: User, webhook: Webhook) -> None:
    """Delete the webhook and its delivery log; nothing more is sent to it."""
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators configure webhooks."))
    audit(AuditAction.WEBHOOK_DELETED, actor=actor, subject=_named(webhook))
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id))
    db.session.delete(webhook)
    db.session.flush()
