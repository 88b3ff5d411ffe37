"""Webhook deliveries: queued in the action's transaction, sent afterwards, retried.

An escalation or a return writes one delivery row per matching webhook in the same
transaction as the action (so none is lost and none is sent for a rolled-back action).
Sending happens after the commit, as a job (campus/jobs.py: on the queue, in a thread,
or inline in tests), and the worker's sweep (or `flask campus deliver-webhooks`) retries
what failed, with backoff.
A failing receiver never blocks or undoes the action.

Each attempt first takes a lease on its delivery and commits that, then sends with no
transaction open (a slow receiver holds no database lock), then records the outcome.
Two senders never send one delivery at once; a sender that dies mid-attempt leaves a
lease that runs out (WEBHOOK_LEASE_SECONDS), and the next run sends it again, with the
same `X-Campus-Delivery` id, by which the receiver recognises a repeat. A delivered
message is never sent again.
"""

import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from campus import jobs, outbox
from campus.extensions import db
from campus.models import DeliveryStatus, Ticket, Webhook, WebhookDelivery, utcnow
from campus.schemas import webhook_message
from campus.unit_of_work import work
from campus.webhooks.targets import RefusedTarget, Target, check

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


@dataclass(frozen=True)
class Claimed:
    """One attempt a sender holds the lease for: what it sends, read before sending."""

    id: int
    token: str
    url: str
    secret: str
    event: str
    payload: str


def lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("WEBHOOK_LEASE_SECONDS", 60))


def claim(delivery_id: int, now: datetime) -> Claimed | None:
    """Take one delivery for an attempt (campus/outbox.py: a lease, committed before
    anything is sent). None if it is not due, already delivered, or another sender
    holds it (the worker's sweep beside the job of the action)."""
    token = outbox.take(WebhookDelivery, delivery_id, DeliveryStatus.PENDING, now, lease())
    if token is None:
        return None
    row = db.session.execute(
        select(WebhookDelivery.event, WebhookDelivery.payload, Webhook.url, Webhook.secret)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.id == delivery_id)
    ).one()
    db.session.commit()  # end the read: nothing is held while sending
    return Claimed(delivery_id, token, row.url, row.secret, row.event, row.payload)


def _connection(target: Target) -> http.client.HTTPConnection:
    """A connection to the checked address (named by its host for Host and TLS)."""
    kind = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    connection = kind(target.host, target.port, timeout=TIMEOUT_SECONDS)
    connection._create_connection = lambda where, timeout, source: socket.create_connection(  # type: ignore[attr-defined]
        (target.address, where[1]), timeout, source
    )
    return connection


def send(claimed: Claimed) -> tuple[int | None, str]:
    """POST the message, outside any transaction; (HTTP status or None, error or "").

    The address is checked again now (its name may resolve elsewhere than when it was
    saved), redirects are not followed, and the log keeps a short reason only: what went
    wrong inside someone's network is not Campus's to show."""
    body = claimed.payload.encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Campus-Webhook/1",
        "X-Campus-Event": claimed.event,
        # The same for every attempt of one message: receivers drop repeats by it.
        "X-Campus-Delivery": str(claimed.id),
        "X-Campus-Signature": signature(claimed.secret, body),
        # The time signed with the body: a receiver refuses old (replayed) messages.
        "X-Campus-Timestamp": timestamp,
        "X-Campus-Signature-V2": f"t={timestamp},"
        + signature(claimed.secret, timestamp.encode() + b"." + body),
    }
    try:
        target = check(claimed.url)
    except RefusedTarget as refused:
        return None, f"refused: {refused.reason}"
    connection = _connection(target)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # the answer is not kept
        status = response.status
    except ssl.SSLError:
        return None, "TLS error"
    except TimeoutError:
        return None, "timed out"
    except (OSError, http.client.HTTPException):
        return None, "could not connect"
    finally:
        connection.close()
    if 200 <= status < 300:
        return status, ""
    if 300 <= status < 400:
        return status, f"HTTP {status}: redirects are not followed"
    return status, f"HTTP {status}"


def settle(claimed: Claimed, status: int | None, error: str, now: datetime) -> bool:
    """Record the attempt's outcome and when to try again; True if it was delivered.
    A sender whose lease ran out and was taken over records nothing: the newer one does."""
    with work():
        delivery = db.session.get(WebhookDelivery, claimed.id, populate_existing=True)
        if delivery is None or delivery.claim != claimed.token:
            return False
        delivery.last_status = status
        outbox.settle(delivery, error, now, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)
        if not error:
            delivery.delivered_at = now
    return not error


def attempt(delivery_id: int, now: datetime | None = None) -> bool | None:
    """One attempt at one delivery: claim, send, settle. None if it was not ours to send."""
    now = now or utcnow()
    claimed = claim(delivery_id, now)
    if claimed is None:
        return None
    status, error = send(claimed)
    return settle(claimed, status, error, now)


def deliver_due(now: datetime | None = None, limit: int = 100) -> tuple[int, int]:
    """Try every pending delivery that is due and not held by another sender;
    returns (delivered, not yet). Each attempt commits on its own."""
    now = now or utcnow()
    due = outbox.due_ids(WebhookDelivery, DeliveryStatus.PENDING, now, limit)
    outcomes = [attempt(delivery_id, now) for delivery_id in due]
    return outcomes.count(True), outcomes.count(False)


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
    """Send right away, as a job (campus/jobs.py); WEBHOOK_DELIVERY=off leaves them to
    the worker's sweep."""
    if delivery_ids and current_app.config.get("WEBHOOK_DELIVERY") != "off":
        jobs.enqueue("webhooks.send", delivery_ids)


def send_each(delivery_ids: list[int]) -> None:
    """The job: one attempt at each (each a unit of work of its own)."""
    for delivery_id in delivery_ids:
        attempt(delivery_id)
