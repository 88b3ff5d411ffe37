"""Replies by e-mail: a mail to the reply address lands on its ticket as a public reply.

The ticket and the person come from the signed reply address the notification named
(campus/mail/links.py), or, for mail programs that answer the sender, from the signed
token in the subject and the sender's address. Either way the sender must be an active
Campus user who may see the ticket and whose From address is the one the reply address
was made for. The new text (quotes and signatures cut off, campus/mail/parsing.py) is
added with the same action as on the ticket page; image attachments are taken as photos
under the same checks as uploads.

Everything else is refused with a polite answer (at most one per sender and hour, never
to automatic mail), and never added. A message delivered twice (its Message-ID, or its
bytes when it has none) is added once: the second delivery is recognised and dropped.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from campus.exceptions import DomainError
from campus.extensions import db
from campus.formats import in_language
from campus.mail import links, sending
from campus.mail.parsing import Incoming, parse
from campus.models import InboundMail, Mail, Ticket, User, normalize_email, utcnow
from campus.permissions import can_view_ticket
from campus.tickets import services
from campus.tickets.photos import MAX_PHOTOS, Upload, attach_photos, check_photos
from campus.unit_of_work import work

REFUSALS_PER_SENDER_HOUR = 1
REFUSALS_PER_HOUR = 50
MAX_TEXT = 10_000


@dataclass(frozen=True)
class Outcome:
    outcome: str  # "added", "duplicate", "refused", "ignored"
    reason: str = ""
    ticket_id: int | None = None
    user_id: int | None = None  # whose reply it was, once added (logs name ids only)


class Refusal(Exception):
    def __init__(self, reason: str, message, ticket: Ticket | None = None) -> None:
        super().__init__(reason)
        self.reason, self.message, self.ticket = reason, message, ticket


def message_key(incoming: Incoming, raw: bytes) -> str:
    source = incoming.message_id.encode() if incoming.message_id else raw
    return hashlib.sha256(source).hexdigest()


MAX_HEADER_BYTES, MAX_ENCODED_WORDS = 64 * 1024, 300


def header_block_too_big(raw: bytes) -> bool:
    """Python's header decoding takes quadratic memory on many encoded words ("=?...?=",
    20,000 of them: gigabytes); a real mail's headers are a few kilobytes."""
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    block = raw[: min(ends, default=len(raw))]
    return len(block) > MAX_HEADER_BYTES or block.count(b"=?") > MAX_ENCODED_WORDS


def receive(raw: bytes, recipients: list[str], envelope_sender: str = "") -> Outcome:
    """Take one delivered message (its bytes, and the envelope's recipients)."""
    if header_block_too_big(raw):  # never parsed: dropped, logged, not answered
        key = hashlib.sha256(raw).hexdigest()
        return _log(key, Incoming("", "", "", (), "", "", "", (), True, ()), "ignored",
                    "header too large", None, None)  # fmt: skip
    incoming = parse(raw)
    key = message_key(incoming, raw)
    if db.session.scalar(select(InboundMail.id).where(InboundMail.message_key == key)):
        db.session.commit()
        return Outcome("duplicate")
    if incoming.automatic or not incoming.sender or envelope_sender.strip("<>") == "":
        # Out-of-office notes, bounces, lists: never added, never answered (no mail loops).
        return _log(key, incoming, "ignored", "automatic mail", None, None)
    try:
        ticket, user = _target(incoming, recipients)
        ids = {"ticket_id": ticket.id, "user_id": user.id}  # read before the commit
        text, uploads, left_out = _content(incoming)
        with work():
            _add(user, ticket, text, uploads, left_out)
            db.session.add(
                InboundMail(
                    message_key=key,
                    sender=incoming.sender[:254],
                    ticket_id=ticket.id,
                    user_id=user.id,
                    outcome="added",
                )
            )
    except Refusal as refusal:
        return _refuse(key, incoming, refusal)
    except DomainError as error:  # the workflow does not allow it now, a photo's checks
        return _refuse(key, incoming, Refusal("not allowed now", error.message))
    except IntegrityError:
        return Outcome("duplicate")  # the same message, delivered twice at once
    return Outcome("added", **ids)


def _target(incoming: Incoming, recipients: list[str]) -> tuple[Ticket, User]:
    """The ticket and person a reply is for, checked; Refusal otherwise."""
    sender = normalize_email(incoming.sender)
    for address in [*recipients, *incoming.recipients]:
        found = links.read_reply_address(address)
        if found is not None:
            ticket_id, user_id = found
            ticket, user = db.session.get(Ticket, ticket_id), db.session.get(User, user_id)
            if ticket is None or user is None:
                raise Refusal("ticket or user gone", UNKNOWN)
            if user.email != sender:
                raise Refusal("sender is not the addressee", UNKNOWN)
            return _checked(ticket, user)
    if any(links.is_tagged_reply_address(address) for address in recipients):
        # A reply address whose signature does not hold: forged or mangled, never
        # second-guessed through the subject.
        raise Refusal("forged reply address", UNKNOWN)
    token = links.read_subject_token(incoming.subject)
    if token is not None:
        number, mac = token
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        user = db.session.scalar(select(User).where(User.email == sender))
        if (
            ticket is not None
            and user is not None
            and links.subject_token_holds(ticket.id, user.id, mac)
        ):
            return _checked(ticket, user)
    raise Refusal("no valid reply address", UNKNOWN)


def _checked(ticket: Ticket, user: User) -> tuple[Ticket, User]:
    if not user.is_active or not can_view_ticket(user, ticket):
        raise Refusal("may not see the ticket", UNKNOWN)
    return ticket, user


def _content(incoming: Incoming) -> tuple[str, list[Upload], list[str]]:
    images, left_out = [], []
    for attachment in incoming.attachments:
        if attachment.content_type in ("image/jpeg", "image/png", "image/webp"):
            images.append(Upload(attachment.filename or "photo", attachment.data))
        elif attachment.filename:
            left_out.append(attachment.filename)
    text = incoming.text.strip()[:MAX_TEXT]
    if not text and not images:
        raise Refusal("no text", EMPTY)
    return text, images[:MAX_PHOTOS], left_out + [u.filename for u in images[MAX_PHOTOS:]]


def _add(user: User, ticket: Ticket, text: str, uploads: list[Upload], left_out: list[str]):
    checked = check_photos(uploads)
    with in_language(user.locale):
        if checked and not text:
            text = str(_l("(Photos sent by e-mail)"))
        if left_out:
            text += "\n\n" + str(
                _l("(Not taken from the e-mail: %(names)s)", names=", ".join(left_out))
            )
    services.reply(user, ticket, text)
    attach_photos(ticket, checked, current_app.config["UPLOAD_FOLDER"], utcnow())
    db.session.flush()


UNKNOWN = _l(
    "Campus could not add your e-mail to a ticket: it was not sent from the address "
    "Campus knows you by, or it was not an answer to a Campus notification for you. "
    "Please answer on the ticket page instead."
)
EMPTY = _l(
    "Campus found no text in your e-mail (quoted text and signatures are left out). "
    "Please write your answer above the quoted message."
)


def _log(key, incoming: Incoming, outcome: str, reason: str, ticket, user) -> Outcome:
    try:
        with work():
            db.session.add(
                InboundMail(
                    message_key=key,
                    sender=incoming.sender[:254],
                    ticket_id=ticket.id if ticket is not None else None,
                    user_id=user.id if user is not None else None,
                    outcome=outcome,
                    reason=reason[:200],
                )
            )
    except IntegrityError:
        return Outcome("duplicate")
    return Outcome(outcome, reason)


def _refuse(key, incoming: Incoming, refusal: Refusal) -> Outcome:
    """Log the refusal and answer politely, unless this sender (or everyone) already got
    as many answers as an hour allows: a forged sender must not turn Campus into a
    source of unwanted mail."""
    now = utcnow()
    try:
        with work():
            db.session.add(
                InboundMail(
                    message_key=key,
                    sender=incoming.sender[:254],
                    outcome="refused",
                    reason=refusal.reason[:200],
                )
            )
            answered = _known(incoming.sender)
            if answered is not None and _may_answer(incoming.sender, now):
                _answer(incoming, answered, refusal, now)
    except IntegrityError:
        return Outcome("duplicate")
    return Outcome("refused", refusal.reason)


def _may_answer(sender: str, now: datetime) -> bool:
    since = now - timedelta(hours=1)
    recent = select(func.count(Mail.id)).where(
        Mail.kind == "reply_refused", Mail.created_at >= since
    )
    if (db.session.scalar(recent) or 0) >= REFUSALS_PER_HOUR:
        return False
    mine = recent.where(Mail.to_address == sender)
    return (db.session.scalar(mine) or 0) < REFUSALS_PER_SENDER_HOUR


def _known(sender: str) -> User | None:
    """Only Campus's own active users are answered: a stranger's address in From is as
    likely forged, and Campus must not mail strangers on a spammer's behalf."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(sender)))
    return user if user is not None and user.active else None


def _answer(incoming: Incoming, user: User, refusal: Refusal, now: datetime) -> None:
    quoted = incoming.subject[:80] + ("…" if len(incoming.subject) > 80 else "")
    with in_language(user.locale):
        context = {"message": str(refusal.message), "subject": quoted}
        text = render_template("mail/refused.txt", **context)
        subject = str(_l("Not added to a ticket: %(subject)s", subject=quoted))
    sending.write(
        kind="reply_refused", to=user.email, subject=subject, text=text, user_id=user.id, now=now
    )
