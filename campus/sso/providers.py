"""The configured OpenID providers (OIDC_PROVIDERS) and their Authlib clients.

Each provider is one JSON object in the list CAMPUS_OIDC_PROVIDERS, checked when the app
starts (a mistake stops the start with one line saying what is wrong):

    {"name": "stadt", "label": "Schulkonto Stadt Dortmund",
     "issuer": "https://id.stadt.example/realms/schulen",
     "client_id": "campus", "client_secret": "...",
     "school_claim": "schulnummer", "role_claim": "groups",
     "roles": {"it-campus": "campus_manager", "systemhaus": "system_house"}}

The client reads the provider's discovery document (issuer + /.well-known/openid-
configuration) on the first sign-in, and its keys from there.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from campus.config import ConfigError

NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
RESERVED = ("account",)  # taken by a page under /login/sso/
MAPPED_ROLES = ("teacher", "campus_manager", "system_house")  # never "admin"
TIMEOUT_SECONDS = 10
KNOWN_KEYS = {
    "name",
    "label",
    "issuer",
    "client_id",
    "client_secret",
    "scopes",
    "school_claim",
    "school_prefix",
    "role_claim",
    "roles",
    "default_role",
    "create_users",
    "link_by_email",
    "trust_email",
    "sync",
}


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    school_claim: str | None = None  # claim whose value(s) name school numbers
    school_prefix: str = ""  # taken off each value first ("schule-123456" -> "123456")
    role_claim: str | None = None
    roles: dict[str, str] = field(default_factory=dict)  # claim value -> Campus role
    default_role: str | None = "teacher"  # when no value maps; None: refused
    create_users: bool = True  # new people get an account when the claims place them
    link_by_email: bool = True  # a first sign-in links an account with the same address
    trust_email: bool = False  # take addresses as verified without email_verified
    sync: bool = True  # ask for offline access; the daily sync checks people still exist

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def scope(self) -> str:
        scopes = self.scopes.split()
        if self.sync and "offline_access" not in scopes:
            scopes.append("offline_access")
        return " ".join(scopes)


def init_app(app: Flask) -> None:
    """Check OIDC_PROVIDERS and register a client for each provider."""
    providers = parse(app.config.get("OIDC_PROVIDERS") or [], app.config["CAMPUS_ENV"])
    oauth = OAuth()
    oauth.init_app(app)
    for provider in providers:
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={
                "scope": provider.scope,
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT_SECONDS,
            },
        )
    app.extensions["campus_sso"] = {p.name: p for p in providers}
    app.extensions["campus_sso_clients"] = oauth


def parse(raw, env: str) -> list[Provider]:
    if not isinstance(raw, list):
        raise ConfigError("CAMPUS_OIDC_PROVIDERS must be a JSON list of providers.")
    providers: list[Provider] = []
    for entry in raw:
        provider = _provider(entry, env)
        if any(p.name == provider.name for p in providers):
            raise ConfigError(f"CAMPUS_OIDC_PROVIDERS names {provider.name!r} twice.")
        providers.append(provider)
    return providers


def _provider(entry, env: str) -> Provider:
    if not isinstance(entry, dict):
        raise ConfigError("CAMPUS_OIDC_PROVIDERS: each provider is a JSON object.")
    name = str(entry.get("name") or "")
    where = f"CAMPUS_OIDC_PROVIDERS ({name or 'a provider without name'})"
    unknown = sorted(set(entry) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}.")
    if not NAME.fullmatch(name) or name in RESERVED:
        raise ConfigError(
            f"{where}: name must be 1-40 lower-case letters, digits or dashes "
            f"(not {', '.join(RESERVED)})."
        )
    for key in ("issuer", "client_id", "client_secret"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise ConfigError(f"{where}: {key} is missing.")
    issuer = entry["issuer"].rstrip("/")
    parts = urlsplit(issuer)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and (local or env != "production")):
        raise ConfigError(f"{where}: the issuer must be an https:// address.")
    roles = entry.get("roles") or {}
    if not isinstance(roles, dict) or any(r not in MAPPED_ROLES for r in roles.values()):
        raise ConfigError(
            f"{where}: roles maps claim values to {', '.join(MAPPED_ROLES)} "
            "(administrators are never made by a provider)."
        )
    default_role = entry.get("default_role", "teacher")
    if default_role is not None and default_role not in MAPPED_ROLES:
        raise ConfigError(f"{where}: default_role must be one of {', '.join(MAPPED_ROLES)}.")
    if roles and not entry.get("role_claim"):
        raise ConfigError(f"{where}: roles needs role_claim (the claim holding the values).")
    return Provider(
        name=name,
        label=str(entry.get("label") or name),
        issuer=issuer,
        client_id=entry["client_id"],
        client_secret=entry["client_secret"],
        scopes=str(entry.get("scopes") or "openid email profile"),
        school_claim=entry.get("school_claim") or None,
        school_prefix=str(entry.get("school_prefix") or ""),
        role_claim=entry.get("role_claim") or None,
        roles={str(k): v for k, v in roles.items()},
        default_role=default_role,
        create_users=bool(entry.get("create_users", True)),
        link_by_email=bool(entry.get("link_by_email", True)),
        trust_email=bool(entry.get("trust_email", False)),
        sync=bool(entry.get("sync", True)),
    )


def providers() -> list[Provider]:
    return list(current_app.extensions.get("campus_sso", {}).values())


def provider(name: str) -> Provider | None:
    return current_app.extensions.get("campus_sso", {}).get(name)


def client(name: str):
    """The Authlib client of a configured provider."""
    return current_app.extensions["campus_sso_clients"].create_client(name)


def metadata(name: str) -> dict:
    """The provider's discovery document (fetched once per process). Raises
    ProviderUnavailable when it cannot be read or names another issuer."""
    import requests

    from campus.sso.errors import ProviderUnavailable

    try:
        document = client(name).load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(str(error)) from error
    if document.get("issuer", "").rstrip("/") != provider(name).issuer:
        raise ProviderUnavailable("the discovery document names another issuer")
    return document
