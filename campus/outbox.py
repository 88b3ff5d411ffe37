"""Outboxes: rows written in an action's transaction, sent afterwards under a lease.

Webhook deliveries and mails follow one rule. An attempt first takes its row (`take`: a
lease token and its end, committed on its own) and only then sends, with no transaction
open, so a slow receiver holds no database lock; it records the outcome only if the lease
is still its own. Two senders never send one row at once; a sender that dies leaves a
lease that runs out, and the next attempt sends again with the same idempotency id
(the webhook's X-Campus-Delivery, the mail's Message-ID).

An outbox model has: status (its PENDING value), next_attempt_at, attempts, claim,
claimed_until, last_error.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from campus.extensions import db
from campus.unit_of_work import work

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1


def _due(model, pending, now: datetime):
    return (
        model.status == pending,
        model.next_attempt_at <= now,
        or_(model.claimed_until.is_(None), model.claimed_until <= now),
    )


def due_ids(model, pending, now: datetime, limit: int = 100) -> list[int]:
    """Rows whose next attempt is due and that no sender holds, oldest first. Ends the
    read, so that each attempt after it is a unit of work of its own."""
    ids = list(
        db.session.scalars(
            select(model.id).where(*_due(model, pending, now)).order_by(model.id).limit(limit)
        )
    )
    db.session.commit()
    return ids


def take(model, row_id: int, pending, now: datetime, lease: timedelta) -> str | None:
    """The lease on one due row for one attempt (committed before anything is sent), or
    None if it is not due, already done, or held by another sender."""
    token = secrets.token_hex(8)
    with work():
        taken = db.session.execute(
            update(model)
            .where(model.id == row_id, *_due(model, pending, now))
            .values(claim=token, claimed_until=now + lease, attempts=model.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    return token if taken else None


def settle(row, error: str, now: datetime, done, failed) -> None:
    """Record an attempt's outcome on `row` (inside the caller's unit of work, lease
    checked): done, failed for good after the last attempt, or due again after backoff."""
    row.claim, row.claimed_until, row.last_error = "", None, error
    if not error:
        row.status, row.next_attempt_at = done, None
    elif row.attempts >= MAX_ATTEMPTS:
        row.status, row.next_attempt_at = failed, None
    else:
        row.next_attempt_at = now + BACKOFF[row.attempts - 1]


def retry_after(row) -> timedelta | None:
    """How long until the row's next attempt (None: no more attempts)."""
    if row.next_attempt_at is None:
        return None
    return BACKOFF[max(row.attempts - 1, 0)]
