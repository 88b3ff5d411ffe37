"""Record acts on accounts, tokens, webhooks and exports in the audit trail.

`audit()` adds an entry to the current unit of work: it is saved with the act, or not at
all. Only short texts go in: names and ids, never passwords, tokens or secrets.

Services call it, and services never read the request: the client's address is handed
in by the edge (`acting_from()`, for each request in campus/__init__.py).
"""

from contextvars import ContextVar, Token

from sqlalchemy import inspect as sa_inspect

from campus.extensions import db
from campus.models import AuditAction, AuditEntry, User

_address: ContextVar[str] = ContextVar("campus_client_address", default="")


def acting_from(address: str | None) -> Token:
    """Acts recorded from now on are done from `address` (a request's client), until
    `done_acting(token)`."""
    return _address.set((address or "")[:45])


def done_acting(token: Token) -> None:
    _address.reset(token)


def audit(
    action: AuditAction,
    *,
    actor: User | None = None,
    actor_label: str = "",
    subject: str = "",
    detail: str = "",
) -> None:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # an anonymous visitor
    state = sa_inspect(actor, raiseerr=False) if actor is not None else None
    stored = state is not None and state.has_identity  # the command line's actor is not
    db.session.add(
        AuditEntry(
            action=action,
            actor_id=actor.id if stored else None,
            actor_label=(actor.email if actor is not None else actor_label)[:254],
            subject=subject[:200],
            detail=detail[:500],
            address=_address.get(),
        )
    )


def person(user: User) -> str:
    return f"{user.display_name} <{user.email}> (#{user.id})"
