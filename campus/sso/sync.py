"""The daily sync: does each linked person still exist at the provider?

OpenID Connect has no list of people, but a provider refuses the refresh token of a
person it removed or disabled (`invalid_grant`). So the sync redeems each link's refresh
token (offline access, kept encrypted) and stores the new one; a refusal deactivates the
account (open tickets go back to the queue as with any deactivation). A provider that
cannot be reached, or answers anything else, deactivates nobody. A deactivated account
comes back by itself when the provider lets the person sign in again.
"""

import json
import logging
from dataclasses import asdict, dataclass

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy import select

from campus.admin.services import set_user_active, system_actor
from campus.extensions import db
from campus.models import SsoLink, User, utcnow
from campus.sso.errors import ProviderUnavailable
from campus.sso.providers import TIMEOUT_SECONDS, Provider, metadata, providers
from campus.sso.settings import stored_settings
from campus.sso.vault import seal, unseal
from campus.unit_of_work import work

log = logging.getLogger(__name__)


@dataclass
class SyncResult:
    checked: int = 0  # asked the provider
    removed: int = 0  # refused by the provider: deactivated
    unreadable: int = 0  # no token we can read (secret key changed): skipped
    failed: int = 0  # provider unreachable or another error: nothing changed


def sync_accounts() -> SyncResult:
    result = SyncResult()
    for provider in providers():
        if provider.sync:
            _sync(provider, result)
    with work():
        settings = stored_settings()
        settings.last_sync_at = utcnow()
        settings.last_sync_summary = json.dumps(asdict(result))
    log.info("sso sync: %s", asdict(result))
    return result


def _sync(provider: Provider, result: SyncResult) -> None:
    try:
        endpoint = metadata(provider.name)["token_endpoint"]
    except (ProviderUnavailable, KeyError) as error:
        log.warning("sso sync: provider %s unavailable: %s", provider.name, error)
        result.failed += _count(provider)
        return
    for link_id in db.session.scalars(_due(provider).with_only_columns(SsoLink.id)).all():
        with work():
            link = db.session.get(SsoLink, link_id)
            if link is not None:
                _check(provider, endpoint, link, result)


def _due(provider: Provider):
    return (
        select(SsoLink)
        .join(User, User.id == SsoLink.user_id)
        .where(
            SsoLink.provider == provider.name,
            SsoLink.refresh_token.is_not(None),
            SsoLink.removed_at.is_(None),
            User.active.is_(True),
        )
        .order_by(SsoLink.id)
    )


def _count(provider: Provider) -> int:
    return len(db.session.scalars(_due(provider).with_only_columns(SsoLink.id)).all())


def _check(provider: Provider, endpoint: str, link: SsoLink, result: SyncResult) -> None:
    token = unseal(link.refresh_token)
    if token is None:
        result.unreadable += 1
        return
    result.checked += 1
    session = OAuth2Session(
        provider.client_id, provider.client_secret, default_timeout=TIMEOUT_SECONDS
    )
    try:
        with session:
            answer = session.refresh_token(endpoint, refresh_token=token)
    except OAuthError as error:
        if error.error != "invalid_grant":
            result.failed += 1
            log.warning("sso sync: %s answered %s for link %s", provider.name, error.error, link.id)
            return
        result.removed += 1
        set_user_active(system_actor(), link.user, False)
        link.removed_at = link.user.deactivated_at
        link.refresh_token = None
        log.info("sso sync: user %s removed at %s: deactivated", link.user_id, provider.name)
        return
    except (requests.RequestException, ValueError) as error:
        result.failed += 1
        log.warning("sso sync: %s unreachable for link %s: %s", provider.name, link.id, error)
        return
    if answer.get("refresh_token"):
        link.refresh_token = seal(answer["refresh_token"])
