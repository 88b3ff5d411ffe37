"""Each person's choices: which notifications, at once or in the digest, and when the
digest comes. Only choices that differ from a kind's default are stored."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from campus.exceptions import InvalidInput
from campus.extensions import db
from campus.mail.digest import format_times, parse_times
from campus.mail.kinds import MODES, kinds_for
from campus.mail.notifications import mode_of
from campus.models import MailPreference, User


def current_choices(user: User) -> dict[str, str]:
    """Every kind this person can get, with their mode (their choice or the default)."""
    stored = {
        (user.id, kind): mode
        for kind, mode in db.session.execute(
            select(MailPreference.kind, MailPreference.mode).where(
                MailPreference.user_id == user.id
            )
        )
    }
    return {kind.key: mode_of(kind, stored, user.id) for kind in kinds_for(user)}


def save_choices(user: User, chosen: dict[str, str], digest_times: str) -> None:
    """Store the choices (refused: an unknown kind or mode, digest times that are no times)."""
    kinds = {kind.key: kind for kind in kinds_for(user)}
    for key, mode in chosen.items():
        if key not in kinds or mode not in MODES:
            raise InvalidInput(_l("Please choose one of the offered options."), key)
        if mode == "digest" and not kinds[key].digest:
            raise InvalidInput(_l("This notice cannot wait for the digest."), key)
    try:
        times = parse_times(digest_times)
    except ValueError as error:
        raise InvalidInput(
            _l("Please give one to six times of day like 07:00, 13:30, separated by commas."),
            "digest_times",
        ) from error
    db.session.execute(delete(MailPreference).where(MailPreference.user_id == user.id))
    db.session.add_all(
        MailPreference(user_id=user.id, kind=key, mode=mode)
        for key, mode in chosen.items()
        if mode != kinds[key].default
    )
    user.digest_times = format_times(times)
    db.session.flush()
