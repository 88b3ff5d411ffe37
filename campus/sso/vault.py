"""Refresh tokens at rest: encrypted (Fernet, AES with an HMAC) with a key derived from
the app's secret key. A new secret key makes the stored ones unreadable; the sync then
skips those people until they sign in again, and deactivates nobody for it."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hashlib.sha256(b"campus-sso-refresh-token\0" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(token: str | None) -> str | None:
    return _fernet().encrypt(token.encode()).decode() if token else None


def unseal(sealed: str | None) -> str | None:
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None
