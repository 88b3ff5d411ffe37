"""Domain exceptions raised by services and mapped to HTTP at the edge (campus/errors.py)."""


class DomainError(Exception):
    """A rule of the domain refused the action; nothing was changed.

    `field` names the form field the message belongs to, when there is one.
    """

    status_code = 400

    def __init__(self, message: str, field: str | None = None):
        # A plain str: a lazy string would count as safe markup in templates and flashes.
        self.message = str(message)
        super().__init__(self.message)
        self.field = field


class InvalidInput(DomainError):
    status_code = 400


class FieldErrors(InvalidInput):
    """Several fields are wrong at once: `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field)
        self.errors = errors


class ErrorCollector:
    """Gather every field's problem, then raise them together (or nothing)."""

    def __init__(self):
        self.errors: dict[str, str] = {}

    def add(self, field: str, message) -> None:
        self.errors.setdefault(field, message)

    def check(self, call) -> None:
        """Run a check that raises InvalidInput; keep its message instead of stopping."""
        try:
            call()
        except InvalidInput as error:
            self.add(error.field or "", error.message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)


class Conflict(DomainError):
    """The data as it stands forbids this (a duplicate, a state that does not allow it)."""

    status_code = 409


class NotAllowed(DomainError):
    status_code = 403
