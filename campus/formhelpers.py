"""Small helpers shared by every blueprint's routes for forms and query strings."""

from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter

# Ids and numbers that go to the database fit its integer columns (PostgreSQL's integer);
# a larger one, or digits that are not ASCII, would fail inside the database, not here.
DB_INT_MAX = 2**31 - 1


def db_int(value) -> int:
    """`value` as an int the database can hold; ValueError otherwise (so that
    `request.args.get(name, type=db_int)` gives the default for it)."""
    text = str(value).strip()
    digits = text[1:] if text[:1] == "-" else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 10:
        raise ValueError(f"not a whole number: {value!r}")
    number = int(text)
    if abs(number) > DB_INT_MAX:
        raise ValueError(f"out of range: {value!r}")
    return number


def optional_int(value) -> int | None:
    """Coerce a select's value to an id; anything else becomes None."""
    try:
        return db_int(value)
    except (TypeError, ValueError):
        return None


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: ASCII digits up to DB_INT_MAX; anything else does not match
    (404) instead of reaching the database."""

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def contains_pattern(text: str) -> str:
    """A LIKE pattern for "contains `text`" (with escape "\\"): its %, _ and \\ are
    literal."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def form_status(form: FlaskForm) -> int:
    """422 for a form that came back with errors, so clients and tests can tell."""
    return 422 if form.errors else 200


def page_number() -> int:
    """The `page` of the query string: 1 or more, within what the database takes."""
    from flask import request

    return max(1, request.args.get("page", 1, type=db_int))
