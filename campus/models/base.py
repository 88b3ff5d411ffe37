"""Declarative base with a naming convention, the UTC timestamp type and the StrEnum type."""

from datetime import UTC, datetime
from enum import StrEnum
from functools import partial

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Mapper
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the offset (timestamptz); SQLite drops it, so values are
    normalised to UTC on the way in and marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use campus.models.base.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enum_options(enum_class: type[StrEnum], length: int) -> dict:
    return {
        "native_enum": False,  # VARCHAR, not a PostgreSQL ENUM type
        "values_callable": lambda members: [m.value for m in members],
        "length": length,
        "create_constraint": False,  # the models name their own CHECK constraints
    }


class StrEnumType(TypeDecorator):
    """A StrEnum column: VARCHAR(length) holding the members' values ("in_progress"),
    read back as members (TicketStatus.IN_PROGRESS).

    Writing a value that is no member fails before it reaches the database. Comparing
    with one (`Ticket.status == "bogus"`, a filter from a URL) just matches nothing, as
    it would with a plain string column.
    """

    impl = Enum
    cache_ok = True

    def __init__(self, enum_class: type[StrEnum], length: int):
        super().__init__(enum_class, validate_strings=True, **_enum_options(enum_class, length))
        self.enum_class = enum_class
        self.length = length
        self._compared = Enum(
            enum_class, validate_strings=False, **_enum_options(enum_class, length)
        )

    def coerce_compared_value(self, op, value):
        return self._compared


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _as_member(enum_class: type[StrEnum], _target, value, _oldvalue, _initiator):
    """A valid string set on a StrEnum column becomes its member at once (not only after
    the next load); anything else is left for the flush to refuse."""
    if isinstance(value, str) and not isinstance(value, enum_class):
        try:
            return enum_class(value)
        except ValueError:
            return value
    return value


@event.listens_for(Base, "mapper_configured", propagate=True)
def _coerce_enum_attributes(mapper: Mapper, class_: type) -> None:
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, StrEnumType):
            event.listen(
                getattr(class_, prop.key),
                "set",
                partial(_as_member, column_type.enum_class),
                retval=True,
            )
