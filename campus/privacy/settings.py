"""The privacy settings: retention periods and the co-determination switch. Read with
`privacy_settings()` (the stored row, or the defaults when none was saved yet); changed
only by administrators, each change in the audit trail."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l

from campus.audit import audit
from campus.exceptions import ErrorCollector, NotAllowed
from campus.extensions import db
from campus.formhelpers import db_int
from campus.models import AuditAction, PrivacySettings, User, utcnow
from campus.models.privacy import BOUNDS, LOGIN_DAYS, PHOTO_DAYS, TICKET_DAYS, USER_DAYS
from campus.permissions import can_administer

SETTINGS_ID = 1
REASON_MIN = 20  # a reason is a sentence, not "ok"
REASON_MAX = 2000
_CACHE = "campus_manager_figures"
BERLIN = ZoneInfo("Europe/Berlin")


def privacy_settings() -> PrivacySettings:
    """The saved settings, or (not added to the session) the defaults."""
    saved = db.session.get(PrivacySettings, SETTINGS_ID)
    if saved is not None:
        return saved
    return PrivacySettings(
        id=SETTINGS_ID,
        ticket_days=TICKET_DAYS,
        photo_days=PHOTO_DAYS,
        user_days=USER_DAYS,
        login_days=LOGIN_DAYS,
        manager_figures=False,
        manager_figures_reason="",
        last_run_summary="",
    )


def manager_figures_since() -> date | None:
    """The first day figures per named campus manager may show (the day they were switched
    on, Berlin time; the earliest day if no day was recorded), or None while they are off.
    Read once per request."""
    if has_app_context() and _CACHE in g:
        return g.get(_CACHE)
    row = db.session.execute(
        db.select(PrivacySettings.manager_figures, PrivacySettings.manager_figures_at).where(
            PrivacySettings.id == SETTINGS_ID
        )
    ).first()
    since = None
    if row is not None and row[0]:
        since = row[1].astimezone(BERLIN).date() if row[1] is not None else date.min
    if has_app_context():
        setattr(g, _CACHE, since)
    return since


def manager_figures_allowed() -> bool:
    """Figures per named campus manager may be shown (reports, exports, API)."""
    return manager_figures_since() is not None


def stored_settings() -> PrivacySettings:
    """The settings row to change (added to the session if none was saved yet)."""
    settings = privacy_settings()
    if settings not in db.session:
        db.session.add(settings)
    return settings


def _admin(actor: User) -> None:
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators may change the privacy settings."))


def save_retention(actor: User, **days: str | int) -> PrivacySettings:
    """Set the retention periods in days (ticket_days, photo_days, user_days, login_days),
    each within its bounds; all or none."""
    _admin(actor)
    problems = ErrorCollector()
    values = {}
    for name, (low, high) in BOUNDS.items():
        raw = str(days.get(name, "")).strip()
        try:
            value = db_int(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            problems.add(
                name,
                _l(
                    "Please enter a whole number of days from %(low)d to %(high)d.",
                    low=low,
                    high=high,
                ),
            )
        values[name] = value
    problems.raise_if_any()
    settings = stored_settings()
    changed = {n: v for n, v in values.items() if getattr(settings, n) != v}
    for name, value in values.items():
        setattr(settings, name, value)
    db.session.flush()
    if changed:
        detail = ", ".join(f"{name}={value}" for name, value in sorted(changed.items()))
        audit(AuditAction.PRIVACY_CHANGED, actor=actor, subject="retention", detail=detail)
    return settings


def set_manager_figures(
    actor: User, on: bool, reason: str = "", now: datetime | None = None
) -> PrivacySettings:
    """Switch figures per named campus manager on (with the reason, e.g. the staff
    council's agreement) or off again. Both are kept in the audit trail."""
    _admin(actor)
    reason = (reason or "").strip()
    if on and len(reason) < REASON_MIN:
        problems = ErrorCollector()
        problems.add(
            "reason",
            _l(
                "Please give the reason, for example the staff council's agreement with its "
                "date (at least %(n)d characters).",
                n=REASON_MIN,
            ),
        )
        problems.raise_if_any()
    if len(reason) > REASON_MAX:
        problems = ErrorCollector()
        problems.add("reason", _l("The text is too long."))
        problems.raise_if_any()
    settings = stored_settings()
    if settings.manager_figures == on and (not on or settings.manager_figures_reason == reason):
        return settings
    settings.manager_figures = on
    g.pop(_CACHE, None)
    settings.manager_figures_reason = reason if on else ""
    settings.manager_figures_by_id = actor.id
    settings.manager_figures_at = now or utcnow()
    db.session.flush()
    audit(
        AuditAction.PRIVACY_CHANGED,
        actor=actor,
        subject="manager figures",
        detail=("on: " + reason) if on else "off",
    )
    return settings
