"""Signed things in mails: links that work without logging in, and reply addresses.

Links carry a signed, time-stamped value (itsdangerous, with the app's secret key and a
purpose of their own) and work once because what they stand for changes when used:
- the answer to a solution names the resolution (its history entry): once the teacher
  confirmed or reopened, or the ticket was resolved again, the link is spent;
- an invitation or a password reset names a fingerprint of the account's password hash:
  setting a password changes the hash, and every earlier link is spent.

A reply address carries the ticket and the reader in its tag, signed with HMAC-SHA256
(tag and signature in lower case: mail servers may change the case of a local part).
A subject token ("[Campus #123 ab12cd34]") carries the ticket with a shorter signature,
for mail programs that answer to the sender instead of Reply-To.
"""

import base64
import hashlib
import hmac
import re
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

ANSWER = "campus.answer"
INVITATION = "campus.invitation"
PASSWORD_RESET = "campus.password-reset"  # noqa: S105 - a purpose, not a password
FEEDBACK = "campus.feedback"  # the rating after a solution (spent once given: one per ticket)


class LinkRefused(Exception):
    """The link is not (or no longer) valid; `expired` tells the two apart for the page."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def sign(purpose: str, value: list) -> str:
    return _serializer(purpose).dumps(value)


def unsign(purpose: str, token: str, max_age: timedelta) -> list:
    """The signed value, or LinkRefused; never says more than expired/invalid."""
    try:
        value = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise LinkRefused(expired=True) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise LinkRefused() from error
    if not isinstance(value, list):
        raise LinkRefused()
    return value


def fingerprint(password_hash: str) -> str:
    """A short digest of the password hash: changes with every new password."""
    return hashlib.sha256(("pw:" + password_hash).encode()).hexdigest()[:16]


# --- reply addresses and subject tokens -------------------------------------------------------


def _mac(message: str, length: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:length]


def reply_address(ticket_id: int, user_id: int) -> str:
    """antwort+<ticket>-<user>-<signature>@domain for the configured reply address, or ""."""
    base = current_app.config.get("MAIL_REPLY_ADDRESS") or ""
    if "@" not in base:
        return ""
    local, _, domain = base.rpartition("@")
    tag = f"{ticket_id}-{user_id}"
    return f"{local}+{tag}-{_mac('reply:' + tag, 20)}@{domain}"


REPLY_TAG = re.compile(r"\+(\d{1,9})-(\d{1,9})-([a-z2-7]{20})@", re.IGNORECASE)


def read_reply_address(address: str) -> tuple[int, int] | None:
    """(ticket id, user id) from a reply address whose signature holds, else None."""
    base = current_app.config.get("MAIL_REPLY_ADDRESS") or ""
    local, _, domain = base.rpartition("@")
    address = address.strip().lower()
    if not base or not address.endswith("@" + domain.lower()):
        return None
    if not address.startswith(local.lower() + "+"):
        return None
    match = REPLY_TAG.search(address)
    if match is None:
        return None
    ticket_id, user_id, mac = match.groups()
    expected = _mac(f"reply:{int(ticket_id)}-{int(user_id)}", 20)
    if f"{int(ticket_id)}-{int(user_id)}" != f"{ticket_id}-{user_id}":
        return None  # leading zeros: not an address Campus wrote
    if not hmac.compare_digest(expected, mac.lower()):
        return None
    return int(ticket_id), int(user_id)


def is_tagged_reply_address(address: str) -> bool:
    """An address of the reply domain with a tag ("antwort+...@"), valid or not."""
    base = current_app.config.get("MAIL_REPLY_ADDRESS") or ""
    local, _, domain = base.lower().rpartition("@")
    address = address.strip().lower()
    return bool(base) and address.endswith("@" + domain) and address.startswith(local + "+")


def subject_token(ticket_id: int, number: int, user_id: int) -> str:
    """Signed for the ticket and its reader: only that reader's address may use it."""
    return f"[Campus #{number} {_mac(f'subject:{ticket_id}:{user_id}', 8)}]"


SUBJECT_TOKEN = re.compile(r"\[Campus #(\d{1,9}) ([a-z2-7]{8})\]", re.IGNORECASE)


def read_subject_token(subject: str) -> tuple[int, str] | None:
    """(ticket number, signature) as the subject carries it (checked by the caller, who
    knows the ticket's id)."""
    match = SUBJECT_TOKEN.search(subject or "")
    if match is None:
        return None
    return int(match.group(1)), match.group(2).lower()


def subject_token_holds(ticket_id: int, user_id: int, mac: str) -> bool:
    return hmac.compare_digest(_mac(f"subject:{ticket_id}:{user_id}", 8), mac)
