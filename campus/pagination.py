"""Keyset pagination: a list page is found by the sort values of the row before it, not by
an offset, so the hundredth page costs what the first does (an index range from that row
on). The entry count is counted up to a cap: a million rows are not counted for a label.

A cursor is the boundary row's sort values, encoded for a URL. A cursor that does not
decode (edited, or from an older version) raises BadCursor; the pages answer it with the
first page and a message.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, tuple_

from campus.database import python_type
from campus.extensions import db

COUNT_CAP = 1000


class BadCursor(ValueError):
    """A page link whose position cannot be read."""


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None = None  # the page after this one, if there is one
    prev_cursor: str | None = None  # the page before, if this is not the first
    total: int = 0  # exact up to COUNT_CAP
    total_capped: bool = False  # more than COUNT_CAP entries


def encode(values: list[Any]) -> str:
    plain = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, kinds: list[type]) -> list[Any]:
    """The sort values in a cursor, each checked against the type of its column."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadCursor(cursor) from error
    if not isinstance(values, list) or len(values) != len(kinds):
        raise BadCursor(cursor)
    decoded = []
    for value, kind in zip(values, kinds, strict=True):
        if kind is datetime:
            if not isinstance(value, dict) or not isinstance(value.get("t"), str):
                raise BadCursor(cursor)
            try:
                value = datetime.fromisoformat(value["t"])
            except ValueError as error:
                raise BadCursor(cursor) from error
            if value.tzinfo is None:
                raise BadCursor(cursor)
        elif kind is int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise BadCursor(cursor)
        elif not isinstance(value, str):
            raise BadCursor(cursor)
        decoded.append(value)
    return decoded


def keyset_page(
    query: Select,
    order: list,
    descending: bool,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 25,
    options: tuple = (),
) -> KeysetPage:
    """One page of `query` in the order of the columns `order` (all ascending, or all
    descending), starting after the row of cursor `after`, or ending before `before`;
    `options` are the loader options for the rows shown (not for the count)."""
    kinds = [python_type(column) for column in order]
    key = tuple_(*order)
    backwards = before is not None and after is None
    cursor = before if backwards else after
    filtered = query
    if cursor is not None:
        values = tuple_(*decode(cursor, kinds))
        forwards_past = key < values if descending else key > values
        backwards_past = key > values if descending else key < values
        filtered = query.where(backwards_past if backwards else forwards_past)
    reverse = descending != backwards  # the direction the database reads in
    ordered = filtered.order_by(*[c.desc() if reverse else c.asc() for c in order])
    rows = list(db.session.scalars(ordered.options(*options).limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    page = KeysetPage(items=rows)
    if rows:
        if backwards:
            page.next_cursor = encode(_values(rows[-1], order))
            page.prev_cursor = encode(_values(rows[0], order)) if more else None
        else:
            page.next_cursor = encode(_values(rows[-1], order)) if more else None
            page.prev_cursor = encode(_values(rows[0], order)) if cursor is not None else None
    page.total = db.session.scalar(
        select(func.count()).select_from(
            query.order_by(None).with_only_columns(order[-1]).limit(COUNT_CAP + 1).subquery()
        )
    )
    page.total_capped = page.total > COUNT_CAP
    page.total = min(page.total, COUNT_CAP)
    return page


def _values(item, order: list) -> list:
    return [getattr(item, column.key) for column in order]
