"""A school's devices: what teachers report problems with."""

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campus.models.base import Base, StrEnumType, UTCDateTime, utcnow
from campus.models.org import School


class DeviceType(StrEnum):
    TABLET = "tablet"
    NOTEBOOK = "notebook"
    DESKTOP = "desktop"
    DISPLAY_PROJECTOR = "display_projector"
    PRINTER = "printer"
    NETWORK = "network"
    OTHER = "other"


class DeviceStatus(StrEnum):
    IN_USE = "in_use"
    IN_REPAIR = "in_repair"
    RETIRED = "retired"


def new_token() -> str:
    """An opaque, unguessable token for QR codes (never a database id)."""
    return secrets.token_urlsafe(12)


class Room(Base):
    """A room of a school; its QR room sign lets teachers report shared devices and Wi-Fi."""

    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("school_id", "name", name="uq_rooms_school_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[School] = relationship()

    def __repr__(self) -> str:
        return f"<Room {self.id} {self.name!r}>"


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (
        UniqueConstraint("school_id", "inventory_number", name="uq_devices_school_inventory"),
        CheckConstraint(
            "type IN ('tablet', 'notebook', 'desktop', 'display_projector', 'printer', "
            "'network', 'other')",
            name="type",
        ),
        CheckConstraint("status IN ('in_use', 'in_repair', 'retired')", name="status"),
        # Device history: the same model at the same school.
        Index("ix_devices_school_model", "school_id", "model"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    room: Mapped[str] = mapped_column(String(60), default="")
    type: Mapped[DeviceType] = mapped_column(StrEnumType(DeviceType, 30))
    inventory_number: Mapped[str] = mapped_column(String(60))
    serial_number: Mapped[str] = mapped_column(String(100), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[DeviceStatus] = mapped_column(
        StrEnumType(DeviceStatus, 12),
        default=DeviceStatus.IN_USE,
        server_default=DeviceStatus.IN_USE.value,
    )
    # What the device's QR label encodes (with the installation's base URL).
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[School] = relationship()

    def __repr__(self) -> str:
        return f"<Device {self.id} {self.inventory_number!r}>"
