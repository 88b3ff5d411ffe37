"""The daily sync: does each linked person still exist at the provider?

OpenID Connect has no list of people, but a provider refuses the refresh token of a
person it removed or disabled (HTTP 400, `invalid_grant`). So the sync redeems each
link's refresh token (offline access, kept encrypted) and keeps the new one; a refusal
deactivates the account (open tickets go back to the queue as with any deactivation).

It deactivates nobody on anything else: a provider that cannot be reached, another error,
a refusal with another status (429, 5xx). Administrators are never deactivated by it.
When more than a fifth (and more than five) of a provider's people are refused in one
run, the provider more likely revoked every session than removed them all: nobody is
deactivated, and the administration page says so. One run at a time (a lease on the
settings row); the provider is asked outside any transaction, so a slow provider never
holds the database's write lock. A deactivated account comes back by itself when the
provider lets the person sign in again.
"""

import json
import logging
from dataclasses import asdict, dataclass
from datetime import timedelta

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy import or_, select, update

from campus.admin.services import set_user_active, system_actor
from campus.extensions import db
from campus.models import SignInSettings, SsoLink, User, utcnow
from campus.permissions import is_admin
from campus.sso.errors import ProviderUnavailable
from campus.sso.providers import TIMEOUT_SECONDS, Provider, metadata, providers
from campus.sso.settings import SETTINGS_ID, stored_settings
from campus.sso.vault import seal, unseal
from campus.unit_of_work import work

log = logging.getLogger(__name__)
LEASE = timedelta(hours=2)  # a run that died leaves the sync to the next one after this
HOLD_SHARE, HOLD_MIN = 0.2, 5  # more refused than this in one run: nobody deactivated


@dataclass
class SyncResult:
    checked: int = 0  # asked the provider
    removed: int = 0  # refused by the provider: deactivated
    held: int = 0  # refused, but not deactivated (administrators; too many at once)
    unreadable: int = 0  # no token we can read (secret key changed): skipped
    failed: int = 0  # provider unreachable or another answer: nothing changed
    busy: bool = False  # another run was going on: this one did nothing


def sync_accounts() -> SyncResult:
    result = SyncResult()
    if not _take_lease():
        result.busy = True
        log.info("sso sync: another run is going on")
        return result
    try:
        for provider in providers():
            if provider.sync:
                _sync(provider, result)
    finally:
        with work():
            settings = stored_settings()
            settings.last_sync_at = utcnow()
            settings.last_sync_summary = json.dumps(asdict(result))
            settings.sync_started_at = None
    log.info("sso sync: %s", asdict(result))
    return result


def _take_lease() -> bool:
    """This run's turn, unless another one holds it (and has not died)."""
    with work():
        stored_settings()  # the row exists
    now = utcnow()
    with work():
        taken = db.session.execute(
            update(SignInSettings)
            .where(
                SignInSettings.id == SETTINGS_ID,
                or_(
                    SignInSettings.sync_started_at.is_(None),
                    SignInSettings.sync_started_at < now - LEASE,
                ),
            )
            .values(sync_started_at=now)
        ).rowcount
    return taken == 1


def _sync(provider: Provider, result: SyncResult) -> None:
    due = db.session.execute(
        select(SsoLink.id, SsoLink.refresh_token)
        .join(User, User.id == SsoLink.user_id)
        .where(
            SsoLink.provider == provider.name,
            SsoLink.refresh_token.is_not(None),
            User.active.is_(True),
        )
        .order_by(SsoLink.id)
    ).all()
    db.session.rollback()  # nothing held while the provider is asked
    try:
        endpoint = metadata(provider.name)["token_endpoint"]
    except (ProviderUnavailable, KeyError) as error:
        log.warning("sso sync: provider %s unavailable: %s", provider.name, error)
        result.failed += len(due)
        return
    refused: list[int] = []
    for link_id, sealed in due:
        token = unseal(sealed)
        if token is None:
            result.unreadable += 1
            continue
        result.checked += 1
        answer = _ask(provider, endpoint, token)
        if answer == "refused":
            refused.append(link_id)
        elif answer is None:
            result.failed += 1
        else:
            with work():
                db.session.execute(
                    update(SsoLink).where(SsoLink.id == link_id).values(refresh_token=seal(answer))
                )
    _deactivate(provider, refused, result)


def _ask(provider: Provider, endpoint: str, token: str) -> str | None:
    """The provider's new refresh token (or the old one, if it keeps it), "refused" when
    it refuses this one as it does for a person it removed, None for anything else."""
    statuses: list[int] = []

    def status(response):
        statuses.append(response.status_code)
        return response

    session = OAuth2Session(
        provider.client_id, provider.client_secret, default_timeout=TIMEOUT_SECONDS
    )
    session.register_compliance_hook("refresh_token_response", status)
    try:
        with session:
            answer = session.refresh_token(endpoint, refresh_token=token)
    except OAuthError as error:
        if error.error == "invalid_grant" and statuses == [400]:
            return "refused"
        log.warning("sso sync: %s answered %s (%s)", provider.name, error.error, statuses)
        return None
    except (requests.RequestException, ValueError) as error:
        log.warning("sso sync: %s unreachable: %s", provider.name, type(error).__name__)
        return None
    return answer.get("refresh_token") or token


def _deactivate(provider: Provider, refused: list[int], result: SyncResult) -> None:
    held = len(refused) > max(HOLD_MIN, HOLD_SHARE * result.checked)
    if held and refused:
        log.warning(
            "sso sync: %s refused %d of %d people at once: nobody deactivated",
            provider.name,
            len(refused),
            result.checked,
        )
    for link_id in refused:
        with work():
            link = db.session.get(SsoLink, link_id)
            link.refresh_token = None  # spent: the next sign-in brings a new one
            if held or is_admin(link.user) or not link.user.active:
                result.held += 1
                continue
            result.removed += 1
            set_user_active(system_actor(), link.user, False)
            link.removed_at = link.user.deactivated_at
            log.info("sso sync: user %s removed at %s: deactivated", link.user_id, provider.name)
