"""A school's devices: what teachers report problems with."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campus.models.base import Base, UTCDateTime, utcnow
from campus.models.org import School


class DeviceType(StrEnum):
    TABLET = "tablet"
    NOTEBOOK = "notebook"
    DESKTOP = "desktop"
    DISPLAY_PROJECTOR = "display_projector"
    PRINTER = "printer"
    NETWORK = "network"
    OTHER = "other"


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (
        UniqueConstraint("school_id", "inventory_number", name="uq_devices_school_inventory"),
        CheckConstraint(
            "type IN ('tablet', 'notebook', 'desktop', 'display_projector', 'printer', "
            "'network', 'other')",
            name="type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    room: Mapped[str] = mapped_column(String(60), default="")
    type: Mapped[str] = mapped_column(String(30))
    inventory_number: Mapped[str] = mapped_column(String(60))
    serial_number: Mapped[str] = mapped_column(String(100), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[School] = relationship()

    def __repr__(self) -> str:
        return f"<Device {self.id} {self.inventory_number!r}>"
