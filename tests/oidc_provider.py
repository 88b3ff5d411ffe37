"""A real OpenID Connect provider for the tests, built from Authlib's server components.

Served over HTTP on the loopback interface, all in memory: discovery, JWKS, a login form at
/authorize (code flow, PKCE S256 and a nonce required), /token (authorization code and
rotating refresh tokens), /userinfo and an end-session endpoint at /logout. `misbehave` makes
the ID tokens wrong in one way, so that the client's checks can be tested.
"""

import base64
import html
import json
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest
import requests
from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, InvalidScopeError, TokenMixin
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.grants.util import is_openid_scope
from flask import Flask, jsonify, redirect, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server

KID = "campus-test-key"
CODE_LIFETIME = 60
SCOPES = ["openid", "email", "profile", "offline_access"]

LOGIN_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Anmeldung</title></head>
<body><h1>Test-Anmeldedienst</h1>{failed}
<form method="post" action="{action}">
<label for="username">Benutzername</label> <input id="username" name="username" autofocus>
<button type="submit">Anmelden</button>
</form></body></html>"""
FAILED = '<p role="alert">Anmeldung fehlgeschlagen</p>'
LOGGED_OUT_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Abgemeldet</title></head>
<body><p>Sie sind abgemeldet</p></body></html>"""


@dataclass
class IdpUser:
    """A person at the provider."""

    username: str
    sub: str
    email: str
    email_verified: bool
    name: str
    claims: dict = field(default_factory=dict)  # extra claims, e.g. {"schulnummer": "123456"}
    removed: bool = False

    def id_claims(self) -> dict:
        """The claims of the ID token and of userinfo (extras may override the standard ones)."""
        standard = {"sub": self.sub, "email": self.email, "name": self.name}
        return {**standard, "email_verified": self.email_verified, **self.claims}


@dataclass
class _Code(AuthorizationCodeMixin):
    code: str
    user: IdpUser
    redirect_uri: str
    scope: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    auth_time: int
    expires_at: float

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


@dataclass
class _Grant(TokenMixin):
    """What an access token (and its refresh token) stands for."""

    user: IdpUser
    scope: str
    auth_time: int
    refresh_token: str | None

    def check_client(self, client):
        return client.get_client_id() == OidcProvider.client_id

    def get_scope(self):
        return self.scope


class _Client(ClientMixin):
    """The one registered client, Campus: confidential, redirect URIs matched exactly."""

    def __init__(self, provider: "OidcProvider") -> None:
        self.provider = provider

    def get_client_id(self):
        return self.provider.client_id

    def get_default_redirect_uri(self):
        return None  # the redirect_uri parameter is required

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.provider.redirect_uris

    def check_client_secret(self, client_secret):
        return client_secret == self.provider.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


class _CodeGrant(AuthorizationCodeGrant):
    def validate_authorization_request(self):
        redirect_uri = super().validate_authorization_request()
        if not is_openid_scope(self.request.payload.scope):
            raise InvalidScopeError("The scope must contain 'openid'.", redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code, request):
        data = request.payload.data
        self.server.provider._codes[code] = _Code(
            code=code,
            user=request.user,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            nonce=data["nonce"],
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            auth_time=int(time.time()),
            expires_at=time.time() + CODE_LIFETIME,
        )
        self.server.provider._nonces.add(data["nonce"])

    def query_authorization_code(self, code, client):
        found = self.server.provider._codes.get(code)
        return found if found and found.expires_at > time.time() else None

    def delete_authorization_code(self, authorization_code):
        self.server.provider._codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return None if authorization_code.user.removed else authorization_code.user


class _RefreshGrant(RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotate on use

    def authenticate_refresh_token(self, refresh_token):
        found = self.server.provider._refresh_tokens.get(refresh_token)
        return found if found and not found.user.removed else None  # None: invalid_grant

    def authenticate_user(self, refresh_token):
        return refresh_token.user

    def revoke_old_credential(self, refresh_token):
        self.server.provider._refresh_tokens.pop(refresh_token.refresh_token, None)


class _RequireS256(CodeChallenge):
    """PKCE, required, with S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        if grant.request.payload.data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with 'code_challenge_method=S256' is required.")
        super().validate_code_challenge(grant, redirect_uri)


class _IdToken(OpenIDCode):
    """Signs the ID tokens of both grants (Authlib's default alg, RS256, with our kid),
    applying `misbehave`."""

    def __init__(self, provider: "OidcProvider") -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce, request):
        return nonce in self.provider._nonces  # a nonce already used for a code: a replay

    def resolve_client_private_key(self, client):
        return (
            self.provider._forger_key if self.provider.misbehave == "forged" else self.provider._key
        )

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": KID}

    def get_compatible_claims(self, request):
        # Authlib builds the base claims here; unlike get_client_claims it sees the request,
        # so a refreshed ID token keeps the auth_time of the login.
        provider, now = self.provider, int(time.time())
        if provider.misbehave == "expired":
            now -= 3 * 3600
        wrong_issuer = provider.misbehave == "wrong_issuer"
        wrong_audience = provider.misbehave == "wrong_audience"
        return {
            "iss": "http://issuer.invalid" if wrong_issuer else provider.issuer,
            "aud": "someone-else" if wrong_audience else provider.client_id,
            "iat": now,
            "exp": now + 3600,
            "auth_time": (request.authorization_code or request.refresh_token).auth_time,
        }

    def get_authorization_code_claims(self, authorization_code):
        claims = super().get_authorization_code_claims(authorization_code)
        if self.provider.misbehave == "wrong_nonce":
            claims["nonce"] = "not-" + claims["nonce"]
        return claims

    def generate_user_info(self, user, scope):
        return user.id_claims()

    def encode_id_token(self, token, request):
        id_token = super().encode_id_token(token, request)
        if self.provider.misbehave == "unsigned":
            # Built by hand: joserfc signs with "none" only with a SecurityWarning.
            header = json.dumps({"alg": "none", "kid": KID}).encode()
            header = base64.urlsafe_b64encode(header).rstrip(b"=").decode()
            id_token = f"{header}.{id_token.split('.')[1]}."
        return id_token


class OidcProvider:
    """The provider's state and its Flask app; see the `oidc_provider` fixture for serving."""

    client_id = "campus"
    client_secret = "campus-secret"

    def __init__(self) -> None:
        self.issuer = ""  # set once served, e.g. "http://127.0.0.1:54321"
        self.redirect_uris: list[str] = []
        self.post_logout_redirect_uris: list[str] = []
        self.misbehave: str | None = None
        # (status, body) the token endpoint answers with instead of doing its work
        self.token_answer: tuple[int, str] | None = None
        self.users: dict[str, IdpUser] = {}
        self.token_requests: list[dict] = []
        self.end_session_calls: list[dict] = []
        self._key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
        self._forger_key = RSAKey.generate_key(2048)
        self._codes: dict[str, _Code] = {}
        self._nonces: set[str] = set()
        self._access_tokens: dict[str, _Grant] = {}
        self._refresh_tokens: dict[str, _Grant] = {}
        self.app = self._create_app()

    def add_user(
        self, username, *, email, name, sub=None, email_verified=True, claims=None
    ) -> IdpUser:
        user = IdpUser(username, sub or str(uuid.uuid4()), email, email_verified, name)
        user.claims = dict(claims or {})
        self.users[username] = user
        return user

    def remove_user(self, username) -> None:
        self.users[username].removed = True

    def reset(self) -> None:
        """Back to a fresh provider (same keys, same address), for the next test."""
        self.misbehave = None
        self.token_answer = None
        for collection in (
            *(self.redirect_uris, self.post_logout_redirect_uris, self.users),
            *(self.token_requests, self.end_session_calls),
            *(self._codes, self._nonces, self._access_tokens, self._refresh_tokens),
        ):
            collection.clear()

    def approve(self, authorize_url: str, username: str) -> str:
        """What a browser would do at the authorize endpoint: open authorize_url, log in as
        `username` and return the Location of the redirect back to the client (with code and
        state, or with error=...). AssertionError if there is no redirect (login refused,
        or an error the provider shows instead of redirecting)."""
        with requests.Session() as browser:
            page = browser.get(authorize_url, allow_redirects=False, timeout=10)
            if not page.is_redirect:
                assert page.status_code == 200, f"{page.status_code}: {page.text[:300]}"
                page = browser.post(
                    authorize_url, data={"username": username}, allow_redirects=False, timeout=10
                )
        if not page.is_redirect:
            raise AssertionError(f"no redirect ({page.status_code}): {page.text[:300]}")
        return page.headers["Location"]

    def _create_app(self) -> Flask:
        app = Flask(__name__)
        app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
        app.config["OAUTH2_SCOPES_SUPPORTED"] = SCOPES
        server = AuthorizationServer(app, query_client=self._query_client, save_token=self._save)
        server.provider = self
        server.register_grant(_CodeGrant, [_RequireS256(required=True), _IdToken(self)])
        server.register_grant(_RefreshGrant, [_IdToken(self)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(self._metadata())

        @app.get("/favicon.ico")
        def favicon():  # browsers ask for one; a 404 would show as a console error
            return "", 204

        @app.get("/jwks")
        def jwks():
            return jsonify(KeySet([self._key]).as_dict(private=False))

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            user = self.users.get(request.form.get("username", ""))
            try:
                grant = server.get_consent_grant(end_user=user)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            if request.method == "GET" or user is None or user.removed:
                failed = FAILED if request.method == "POST" else ""
                return LOGIN_PAGE.format(failed=failed, action=html.escape(request.full_path))
            return server.create_authorization_response(grant_user=user, grant=grant)

        @app.post("/token")
        def token():
            if self.token_answer is not None:  # a broken or throttling token endpoint
                status, body = self.token_answer
                self.token_requests.append(
                    {"grant_type": request.form.get("grant_type"), "ok": False, "error": body}
                )
                return body, status, {"Content-Type": "application/json"}
            response = server.create_token_response()
            error = (response.get_json(silent=True) or {}).get("error")
            grant_type = request.form.get("grant_type")
            self.token_requests.append(
                {"grant_type": grant_type, "ok": response.status_code == 200, "error": error}
            )
            return response

        @app.route("/userinfo", methods=["GET", "POST"])
        def userinfo():
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            grant = self._access_tokens.get(value) if scheme.lower() == "bearer" else None
            if grant is None or grant.user.removed:
                challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
                return jsonify(error="invalid_token"), 401, challenge
            return jsonify(grant.user.id_claims())

        @app.get("/logout")
        def logout():
            args = request.args.to_dict()
            self.end_session_calls.append(args)
            target = args.get("post_logout_redirect_uri")
            if target not in self.post_logout_redirect_uris:
                return LOGGED_OUT_PAGE
            if "state" in args:
                target = add_params_to_uri(target, [("state", args["state"])])
            return redirect(target)

        return app

    def _metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": SCOPES,
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
        }

    def _query_client(self, client_id):
        return _Client(self) if client_id == self.client_id else None

    def _save(self, token, request):
        origin = request.authorization_code or request.refresh_token
        scope, refresh_token = token.get("scope", ""), token.get("refresh_token")
        grant = _Grant(request.user, scope, origin.auth_time, refresh_token)
        self._access_tokens[token["access_token"]] = grant
        if grant.refresh_token:
            self._refresh_tokens[grant.refresh_token] = grant


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass  # no line per request on stderr (nor a handler added to the werkzeug logger)


@pytest.fixture(scope="session")
def oidc_provider():
    """The provider, served on 127.0.0.1 at a free port for the whole test session."""
    provider = OidcProvider()
    server = make_server("127.0.0.1", 0, provider.app, threaded=True, request_handler=_QuietHandler)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def idp(oidc_provider):
    """The session's provider, reset for this test."""
    oidc_provider.reset()
    yield oidc_provider
