"""One unit of work per request, command or job: it commits once and dispatches events.

Services change models, `flush()` and `record()` domain events; they never commit.
The caller wraps the change in `work()`:

    with work(form) as attempt:
        save_campus(current_user, form.name.data)
    if attempt.ok:
        flash(...)

`record()` runs the event's *in-transaction* handlers at once (report facts, outboxes):
if one fails, the whole change is rolled back. After a successful commit the
*after-commit* handlers run (sending); one that fails is logged and never undoes the
change, whose outbox row stays for the retry. Both kinds are registered in one module,
campus/handlers.py.

Refusals (a workflow rule, a stale version, a validation) are turned into one
DomainError here; `work(form)` shows it next to the form's field, `work()` lets it
rise to campus/errors.py, which answers with a page or the API's JSON error.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from campus.database import finished_writing, ready_to_write, unavailable, writing
from campus.events import Event
from campus.exceptions import Conflict, DomainError, FieldErrors
from campus.extensions import db

Handler = Callable[[Event], None]


@dataclass
class Handlers:
    """Which functions follow which event class (subclasses included)."""

    in_transaction: dict[type[Event], list[Handler]] = field(default_factory=dict)
    after_commit: dict[type[Event], list[Handler]] = field(default_factory=dict)

    @staticmethod
    def _for(table: dict[type[Event], list[Handler]], event: Event) -> list[Handler]:
        found: list[Handler] = []
        for cls in type(event).__mro__:
            found.extend(table.get(cls, ()))
        return found


class StaleVersion(Conflict):
    """Someone else changed the object in the same moment and was first."""


class HandlerFailed(DomainError):
    """A consequence that must be saved with the change could not be: nothing was saved."""

    status_code = 500


@dataclass
class UnitOfWork:
    session: Session
    pending: list[Event] = field(default_factory=list)  # after-commit handlers still owed
    committed: list[Event] = field(default_factory=list)
    depth: int = 0  # open work() blocks; an inner one joins the outer
    undo: list[Callable[[], None]] = field(default_factory=list)  # outside the database

    def record(self, event: Event) -> None:
        """The change behind `event` happened: its in-transaction handlers follow now."""
        handlers = _handlers()
        for handler in Handlers._for(handlers.in_transaction, event):
            try:
                handler(event)
            except Exception as error:
                if as_refusal(error) is not None or unavailable(error):
                    raise  # a refusal (or a stale version) is the user's to read, as is;
                    # a database that went away is answered as such (503), not as a bug

                current_app.logger.exception(
                    "in-transaction handler %s failed for %s",
                    getattr(handler, "__qualname__", handler),
                    type(event).__name__,
                )
                raise HandlerFailed(
                    _l(
                        "Your change could not be saved because a follow-up step failed. "
                        "Nothing was changed; please try again."
                    )
                ) from error
        if Handlers._for(handlers.after_commit, event):
            self.pending.append(event)

    def commit(self) -> None:
        """Commit once (the session's after_commit hook moves pending -> committed)."""
        self.session.commit()

    def follow_up(self) -> None:
        """After a commit: run the after-commit handlers of what was committed."""
        events, self.committed = self.committed, []
        handlers = _handlers()
        for event in events:
            for handler in Handlers._for(handlers.after_commit, event):
                try:
                    handler(event)
                except Exception:
                    # The change is saved; what the handler owed stays queued for its retry.
                    current_app.logger.exception(
                        "after-commit handler %s failed for %s",
                        getattr(handler, "__qualname__", handler),
                        type(event).__name__,
                    )
                    self.session.rollback()  # whatever the handler left half done

    def rollback(self) -> None:
        self.session.rollback()
        self.pending.clear()


def current() -> UnitOfWork:
    """The unit of work of the current session (one per request, command or job)."""
    info = db.session.info
    uow = info.get("campus_uow")
    if uow is None or uow.session is not db.session():
        uow = info["campus_uow"] = UnitOfWork(db.session())
    return uow


def record(event: Event) -> None:
    """Record a domain event on the current unit of work."""
    current().record(event)


def on_rollback(undo: Callable[[], None]) -> None:
    """Something done outside the database (a photo written to disk) that `undo` takes
    back if the transaction does not commit: no file outlives the ticket it was for."""
    current().undo.append(undo)


def _handlers() -> Handlers:
    return current_app.extensions["campus_handlers"]


@sa_event.listens_for(Session, "after_commit")
def _move_to_committed(session: Session) -> None:
    uow = session.info.get("campus_uow")
    if uow is not None:
        uow.committed.extend(uow.pending)
        uow.pending.clear()
        uow.undo.clear()  # kept: nothing to take back


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction) -> None:
    """The outermost transaction ended: what it committed moved on (after_commit above),
    what it rolled back must never be followed up. A savepoint's end changes nothing."""
    if transaction.nested or transaction.parent is not None:
        return
    uow = session.info.get("campus_uow")
    if uow is not None:
        uow.pending.clear()
        undo, uow.undo = uow.undo, []
        for step in reversed(undo):  # not committed: take back what was done outside
            try:
                step()
            except Exception:
                current_app.logger.exception("undoing %s after a rollback failed", step)


# --- the edge: one place that turns refusals into what the user sees ---------------------


def as_refusal(error: Exception) -> DomainError | None:
    """The DomainError a user is shown for `error`, or None if it is not a refusal."""
    if isinstance(error, DomainError):
        return error
    if isinstance(error, StaleDataError):
        # Tickets are the only versioned rows (Ticket.version).
        return StaleVersion(
            _l("Someone else changed this ticket just now. Please check it and try again.")
        )
    return None


@dataclass
class Attempt:
    """What came of a `work()` block: `ok`, or the `error` the user was shown."""

    ok: bool = False
    error: DomainError | None = None


@contextmanager
def work(form=None) -> Iterator[Attempt]:
    """Run a change as one unit: commit on success, roll back on any error.

    With a form, a refusal is attached to the form (next to its field) and the block is
    left with `attempt.ok` False; without one it is raised as a DomainError for
    campus/errors.py to answer.
    """
    uow = current()
    attempt = Attempt()
    if uow.depth:  # inside another unit of work: join it; the outer one commits or not
        yield attempt
        attempt.ok = True
        return
    ready_to_write(uow.session)
    uow.committed.clear()  # committed outside a unit of work (tests, shells): not ours
    uow.depth += 1
    try:
        try:
            with writing():
                yield attempt
                uow.commit()
        finally:
            uow.depth -= 1
    except Exception as error:
        uow.rollback()
        refusal = as_refusal(error)
        if refusal is None:
            raise
        attempt.error = refusal
        if form is None:
            if refusal is error:
                raise
            raise refusal from error
        attach_error(form, refusal)
        return
    attempt.ok = True
    finished_writing()
    uow.follow_up()  # outside the block: a handler may open a unit of work of its own


def attach_error(form, error: DomainError) -> None:
    """Show a refusal next to its field(s), or above the form if it has none."""
    errors = error.errors if isinstance(error, FieldErrors) else {error.field: error.message}
    for name, message in errors.items():
        target = getattr(form, name, None) if name else None
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, str(message)]
        else:
            form.form_errors.append(str(message))
