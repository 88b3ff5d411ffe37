"""`flask campus mail-gateway`: a small SMTP (or LMTP) endpoint for replies by e-mail.

The school's mail server forwards the reply address's domain to it (README: "Replies by
e-mail"). It accepts recipients at MAIL_REPLY_ADDRESS's domain only (it relays
nothing), hands each message to campus/mail/inbound.py in a thread of its own (the
database work must not stall the other connections) and answers:
- 250 when the message was taken, whatever became of it (added, refused with a polite
  mail, a repeat, automatic): the sending server must not try again;
- 451 when Campus could not take it now (the database away): the sending server keeps
  the message and tries again later, so nothing is lost.
"""

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import Envelope, Session
from flask import Flask

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 40 * 1024 * 1024
MAX_RECIPIENTS = 20


class Gateway:
    """The aiosmtpd handler."""

    def __init__(self, app: Flask, lmtp: bool = False) -> None:
        self.app = app
        self.lmtp = lmtp
        address = app.config.get("MAIL_REPLY_ADDRESS") or ""
        self.domain = address.rpartition("@")[2].lower()
        self.local = address.rpartition("@")[0].lower()

    def accepts(self, address: str) -> bool:
        local, _, domain = address.strip().lower().rpartition("@")
        if not self.domain or domain != self.domain:
            return False
        return local == self.local or local.startswith(self.local + "+")

    async def handle_RCPT(self, server, session: Session, envelope: Envelope, address, options):
        if not self.accepts(address):
            return "550 5.1.1 No such mailbox here: this address only takes replies to Campus"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session: Session, envelope: Envelope):
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        status = await asyncio.to_thread(
            self.receive, raw, list(envelope.rcpt_tos), envelope.mail_from or ""
        )
        if self.lmtp:  # LMTP answers once per recipient
            return "\r\n".join([status] * max(len(envelope.rcpt_tos), 1))
        return status

    def receive(self, raw: bytes, recipients: list[str], sender: str) -> str:
        from campus.extensions import db
        from campus.mail.inbound import receive

        with self.app.app_context():
            try:
                outcome = receive(raw, recipients, sender)
            except Exception:
                log.exception("a reply by e-mail could not be taken; the sender will retry")
                return "451 4.3.0 Campus cannot take the message now, please try again later"
            finally:
                db.session.remove()
        # Ids only: the sender's address stays in the database (Administration -> Mails).
        log.info(
            "reply by e-mail: %s%s (ticket %s, user %s)",
            outcome.outcome,
            f" ({outcome.reason})" if outcome.reason else "",
            outcome.ticket_id,
            outcome.user_id,
        )
        return "250 2.0.0 Message accepted"


class LMTPController(Controller):
    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def controller(app: Flask, host: str, port: int, lmtp: bool = False) -> Controller:
    """A gateway to start and stop (the command runs one until interrupted; tests start
    one around a test)."""
    # aiosmtpd logs every sender and recipient address at INFO: not into Campus's log.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    kind = LMTPController if lmtp else Controller
    return kind(
        Gateway(app, lmtp=lmtp),
        hostname=host,
        port=port,
        data_size_limit=MAX_MESSAGE_BYTES,
        decode_data=False,
        ident="Campus mail gateway",
    )


def serve(app: Flask, host: str, port: int, lmtp: bool = False) -> None:
    """Run until interrupted."""
    if not (app.config.get("MAIL_REPLY_ADDRESS") or "").count("@"):
        raise SystemExit("Set CAMPUS_MAIL_REPLY_ADDRESS (e.g. antwort@campus.stadt.example) first.")
    gateway = controller(app, host, port, lmtp=lmtp)
    gateway.start()
    try:
        asyncio.run(_forever())
    except KeyboardInterrupt:
        pass
    finally:
        gateway.stop()


async def _forever() -> None:
    await asyncio.Event().wait()
