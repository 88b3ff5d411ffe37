"""The test OpenID provider (tests/oidc_provider.py) works for a real client: Authlib's
requests client logs in over HTTP with PKCE and a nonce, and joserfc checks the ID tokens."""

import secrets

import pytest
import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet

REDIRECT_URI = "http://127.0.0.1:9/sso/callback"


@pytest.fixture
def provider(idp):
    idp.redirect_uris.append(REDIRECT_URI)
    idp.add_user(
        "anna",
        email="anna@schule.example",
        name="Anna Lehrerin",
        claims={"schulnummer": "123456", "groups": ["lehrkraefte"]},
    )
    return idp


def session(provider, auth_method="client_secret_basic") -> OAuth2Session:
    return OAuth2Session(
        provider.client_id,
        provider.client_secret,
        scope="openid email profile offline_access",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method=auth_method,
    )


def log_in(provider, client, username="anna"):
    """The code flow up to the token response; returns (token, nonce, redirect location)."""
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, _state = client.create_authorization_url(
        f"{provider.issuer}/authorize", code_verifier=verifier, nonce=nonce
    )
    location = provider.approve(url, username)
    token = client.fetch_token(
        f"{provider.issuer}/token", authorization_response=location, code_verifier=verifier
    )
    return token, nonce, location


def verify(provider, id_token, nonce=None) -> jwt.Token:
    keys = KeySet.import_key_set(requests.get(f"{provider.issuer}/jwks", timeout=5).json())
    decoded = jwt.decode(id_token, keys, algorithms=["RS256"])
    expected = {"iss": provider.issuer, "aud": provider.client_id}
    if nonce is not None:
        expected["nonce"] = nonce
    options = {name: {"essential": True, "value": value} for name, value in expected.items()}
    jwt.JWTClaimsRegistry(**options).validate(decoded.claims)
    return decoded


def test_discovery_names_the_endpoints(provider):
    metadata = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5)
    assert metadata.json()["issuer"] == provider.issuer
    assert metadata.json()["jwks_uri"] == f"{provider.issuer}/jwks"
    assert metadata.json()["code_challenge_methods_supported"] == ["S256"]


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_code_flow_with_pkce_and_nonce(provider, auth_method):
    client = session(provider, auth_method)
    token, nonce, _ = log_in(provider, client)
    id_token = verify(provider, token["id_token"], nonce)
    assert id_token.header["kid"] == "campus-test-key"
    claims = id_token.claims
    anna = provider.users["anna"]
    assert claims["sub"] == anna.sub
    assert (claims["email"], claims["email_verified"]) == ("anna@schule.example", True)
    assert (claims["schulnummer"], claims["groups"]) == ("123456", ["lehrkraefte"])
    assert {"iat", "exp", "auth_time"} <= claims.keys()
    assert token["refresh_token"]
    userinfo = client.get(f"{provider.issuer}/userinfo").json()
    assert userinfo == anna.id_claims()
    assert provider.token_requests == [
        {"grant_type": "authorization_code", "ok": True, "error": None}
    ]


def test_a_code_works_once(provider):
    client = session(provider)
    _, _, location = log_in(provider, client)
    with pytest.raises(OAuthError) as refused:
        client.fetch_token(f"{provider.issuer}/token", authorization_response=location)
    assert refused.value.error == "invalid_grant"
    assert provider.token_requests[-1] == {
        "grant_type": "authorization_code",
        "ok": False,
        "error": "invalid_grant",
    }


def test_refresh_rotates_and_is_refused_after_removal(provider):
    client = session(provider)
    first, _, _ = log_in(provider, client)
    provider.users["anna"].claims["groups"] = ["schulleitung"]
    second = client.refresh_token(f"{provider.issuer}/token")
    assert second["refresh_token"] != first["refresh_token"]
    claims = verify(provider, second["id_token"]).claims
    assert claims["groups"] == ["schulleitung"] and "nonce" not in claims

    with pytest.raises(OAuthError, match="invalid_grant"):  # the old one was rotated away
        client.refresh_token(f"{provider.issuer}/token", refresh_token=first["refresh_token"])
    provider.remove_user("anna")
    with pytest.raises(OAuthError) as refused:
        client.refresh_token(f"{provider.issuer}/token", refresh_token=second["refresh_token"])
    assert refused.value.error == "invalid_grant"


@pytest.mark.parametrize(
    ("misbehave", "error"),
    [
        ("forged", BadSignatureError),
        ("expired", ExpiredTokenError),
        ("wrong_nonce", InvalidClaimError),
        ("wrong_audience", InvalidClaimError),
        ("wrong_issuer", InvalidClaimError),
        ("unsigned", UnsupportedAlgorithmError),
    ],
)
def test_misbehaving_id_tokens_fail_verification(provider, misbehave, error):
    provider.misbehave = misbehave
    token, nonce, _ = log_in(provider, session(provider))
    with pytest.raises(error):
        verify(provider, token["id_token"], nonce)


def test_login_refused_for_unknown_and_removed_users(provider):
    provider.add_user("bernd", email="bernd@schule.example", name="Bernd")
    provider.remove_user("bernd")
    url, _ = session(provider).create_authorization_url(
        f"{provider.issuer}/authorize", code_verifier=secrets.token_urlsafe(48), nonce="n-1"
    )
    for username in ("niemand", "bernd"):
        page = requests.post(url, data={"username": username}, allow_redirects=False, timeout=5)
        assert page.status_code == 200 and "Anmeldung fehlgeschlagen" in page.text
        with pytest.raises(AssertionError, match="Anmeldung fehlgeschlagen"):
            provider.approve(url, username)


@pytest.mark.parametrize(
    ("drop", "error"),
    [
        ("code_challenge", "invalid_request"),
        ("nonce", "invalid_request"),
        ("scope", "invalid_scope"),
    ],
)
def test_bad_authorize_requests_go_back_with_an_error(provider, drop, error):
    verifier = secrets.token_urlsafe(48)
    params = {"nonce": "n-2", "scope": "email"} if drop == "scope" else {"nonce": "n-2"}
    url, state = session(provider).create_authorization_url(
        f"{provider.issuer}/authorize", code_verifier=verifier, **params
    )
    if drop != "scope":
        url = "&".join(part for part in url.split("&") if not part.startswith(f"{drop}="))
    location = provider.approve(url, "anna")
    assert location.startswith(REDIRECT_URI) and f"error={error}" in location
    assert f"state={state}" in location


def test_unregistered_redirect_uri_is_not_followed(provider):
    client = session(provider)
    client.redirect_uri = "http://127.0.0.1:9/elsewhere"
    url, _ = client.create_authorization_url(
        f"{provider.issuer}/authorize", code_verifier=secrets.token_urlsafe(48), nonce="n-3"
    )
    page = requests.get(url, allow_redirects=False, timeout=5)
    assert page.status_code == 400 and page.json()["error"] == "invalid_request"


def test_end_session(provider):
    provider.post_logout_redirect_uris.append("http://127.0.0.1:9/bye")
    back = requests.get(
        f"{provider.issuer}/logout",
        params={"post_logout_redirect_uri": "http://127.0.0.1:9/bye", "state": "s1"},
        allow_redirects=False,
        timeout=5,
    )
    assert back.headers["Location"] == "http://127.0.0.1:9/bye?state=s1"
    page = requests.get(f"{provider.issuer}/logout", timeout=5)
    assert "Sie sind abgemeldet" in page.text
    assert provider.end_session_calls == [
        {"post_logout_redirect_uri": "http://127.0.0.1:9/bye", "state": "s1"},
        {},
    ]
