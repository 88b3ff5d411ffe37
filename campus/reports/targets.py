"""The target first-level resolution rate the administrators set (report settings): read
by the charts, changed by the report settings page. Unlike the categories, it changes no
figure, so nothing is rebuilt."""

from flask_babel import lazy_gettext as _l

from campus.exceptions import InvalidInput, NotAllowed
from campus.extensions import db
from campus.formhelpers import db_int
from campus.models import ReportSettings, User
from campus.permissions import can_administer

SETTINGS_ID = 1


def flr_target() -> float | None:
    """The target as a share (0.6 for 60 %), or None when none is set."""
    percent = db.session.scalar(
        db.select(ReportSettings.target_flr).where(ReportSettings.id == SETTINGS_ID)
    )
    return None if percent is None else percent / 100


def flr_target_percent() -> int | None:
    target = flr_target()
    return None if target is None else round(target * 100)


def set_flr_target(actor: User, value: str | int | None) -> None:
    """Set the target in whole percent (1 to 100; "60", "60 %" or 60); empty: no target."""
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators may change the report settings."))
    text = str(value if value is not None else "").strip().removesuffix("%").strip()
    percent = None
    if text:
        try:
            percent = db_int(text)
        except ValueError:
            percent = 0
        if not 1 <= percent <= 100:
            raise InvalidInput(
                _l("Please enter a whole number from 1 to 100, or leave the field empty."),
                "target",
            )
    settings = db.session.get(ReportSettings, SETTINGS_ID) or ReportSettings(id=SETTINGS_ID)
    settings.target_flr = percent
    db.session.add(settings)
    db.session.flush()
