"""Webhook deliveries: queued in the action's transaction, sent afterwards, retried.

An escalation or a return writes one delivery row per matching webhook in the same
transaction as the action (so none is lost and none is sent for a rolled-back action).
Sending happens after the commit - in a background thread, or inline in tests - and
`flask campus deliver-webhooks` (cron, every minute) retries what failed, with backoff.
A failing receiver never blocks or undoes the action.
"""

import hashlib
import hmac
import json
import threading
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from campus.extensions import db
from campus.models import Ticket, Webhook, WebhookDelivery, utcnow
from campus.schemas import webhook_message
from campus.unit_of_work import work

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 5


def enqueue(ticket: Ticket, event: str, now: datetime | None = None) -> list[WebhookDelivery]:
    """Queue `event` (e.g. ticket.escalated) for every active webhook that wants it."""
    now = now or utcnow()
    hooks = db.session.scalars(
        select(Webhook).where(
            Webhook.active.is_(True),
            or_(Webhook.campus_id.is_(None), Webhook.campus_id == ticket.campus_id),
        )
    ).all()
    payload = json.dumps(
        webhook_message(event, now, ticket),
        ensure_ascii=False,
        sort_keys=True,
    )
    deliveries = [
        WebhookDelivery(
            webhook=hook,
            ticket_id=ticket.id,
            event=event,
            payload=payload,
            next_attempt_at=now,
            created_at=now,
        )
        for hook in hooks
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    return deliveries


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def attempt(delivery: WebhookDelivery, now: datetime | None = None) -> bool:
    """Send once; record the outcome and when to try again."""
    now = now or utcnow()
    body = delivery.payload.encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked on save
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Campus-Webhook/1",
            "X-Campus-Event": delivery.event,
            "X-Campus-Delivery": str(delivery.id),
            "X-Campus-Signature": signature(delivery.webhook.secret, body),
        },
    )
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            delivery.last_status = response.status
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        delivery.last_error = ""
        return True
    except urllib.error.HTTPError as error:
        delivery.last_status, delivery.last_error = error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        delivery.last_status, delivery.last_error = None, str(error)[:500]
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    return False


def deliver_due(now: datetime | None = None, limit: int = 100) -> tuple[int, int]:
    """Try every pending delivery that is due; returns (delivered, not yet)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id)
        .limit(limit)
    ).all()
    sent = sum(1 for delivery in due if attempt(delivery, now))
    db.session.flush()
    return sent, len(due) - sent


# The domain events that go out as webhook messages, and their names on the wire.
MESSAGES = {"TicketEscalated": "ticket.escalated", "TicketReturned": "ticket.returned"}


def queue_for(event) -> None:
    """In the transaction: one delivery row per webhook that wants this event (the outbox)."""
    enqueue(event.ticket, MESSAGES[type(event).__name__], event.at)


def send_queued(event) -> None:
    """After the commit: send the event's deliveries right away (cron retries the rest)."""
    send_soon(
        list(
            db.session.scalars(
                select(WebhookDelivery.id).where(
                    WebhookDelivery.ticket_id == event.ticket.id,
                    WebhookDelivery.event == MESSAGES[type(event).__name__],
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.attempts == 0,
                )
            )
        )
    )


def send_soon(delivery_ids: list[int]) -> None:
    """Send right away, as a job of its own: in a thread (or inline when configured)."""
    if not delivery_ids:
        return
    mode = current_app.config.get("WEBHOOK_DELIVERY", "thread")
    if mode == "off":
        return

    def run():
        with work():  # a job: its own unit of work
            for delivery in db.session.scalars(
                select(WebhookDelivery).where(WebhookDelivery.id.in_(delivery_ids))
            ):
                attempt(delivery)

    if mode == "inline":
        run()  # in the request's session, after its unit of work has committed
        return
    app = current_app._get_current_object()

    def in_background():
        with app.app_context():  # its own context and session
            run()

    threading.Thread(target=in_background, daemon=True).start()
