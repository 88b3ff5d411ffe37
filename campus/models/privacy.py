"""Privacy settings (issue 17): how long personal data is kept, and whether figures per
named campus manager may be shown (co-determination: off until an administrator switches
them on with a recorded reason). One row (id 1), or none yet: then the defaults."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campus.models.base import Base, UTCDateTime
from campus.models.user import User

# The defaults, in days; each can be set between its bounds below.
TICKET_DAYS = 730  # closed tickets are anonymised this long after they were closed
PHOTO_DAYS = 30  # a closed ticket's photos are deleted this long after it was closed
USER_DAYS = 180  # deactivated users are pseudonymised this long after deactivation
LOGIN_DAYS = 90  # login history (sessions) is forgotten this long after it ended
BOUNDS = {
    "ticket_days": (30, 3650),
    "photo_days": (0, 3650),
    "user_days": (0, 3650),
    "login_days": (7, 365),
}


def _days(name: str) -> CheckConstraint:
    low, high = BOUNDS[name]
    return CheckConstraint(f"{name} BETWEEN {low} AND {high}", name=name)


class PrivacySettings(Base):
    __tablename__ = "privacy_settings"
    __table_args__ = tuple(_days(name) for name in BOUNDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_days: Mapped[int] = mapped_column(Integer, default=TICKET_DAYS)
    photo_days: Mapped[int] = mapped_column(Integer, default=PHOTO_DAYS)
    user_days: Mapped[int] = mapped_column(Integer, default=USER_DAYS)
    login_days: Mapped[int] = mapped_column(Integer, default=LOGIN_DAYS)
    # Co-determination: figures per named campus manager, off by default.
    manager_figures: Mapped[bool] = mapped_column(Boolean, default=False)
    manager_figures_reason: Mapped[str] = mapped_column(Text, default="")
    manager_figures_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    manager_figures_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The retention job's last run: when, and what it changed (JSON counts).
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_summary: Mapped[str] = mapped_column(String(500), default="")

    manager_figures_by: Mapped[User | None] = relationship()
