"""The mail outbox: written in the action's transaction, sent after the commit by a job.

`write()` adds a Mail row to the current unit of work and records MailWritten; after the
commit, its handler asks for the job "mail.send". The job takes the row's lease
(campus/outbox.py), builds the RFC 5322 message, hands it to the mail server with no
transaction open and records the outcome. A mail server that is away (or answers "try
later", 4xx) is tried again with backoff; one that refuses the address for good (5xx)
ends the attempts. Every attempt sends the same Message-ID.

Where mails go (MAIL_BACKEND): "smtp" (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS for
STARTTLS, MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD), or "folder" (development: one
.eml file each in MAIL_FOLDER, listed at /dev/mails), or "off" (nothing is written).
"""

import smtplib
import ssl
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from flask import current_app

from campus import jobs, outbox
from campus.events import MailWritten
from campus.extensions import db
from campus.models import Mail, MailStatus, utcnow
from campus.unit_of_work import record, work

TIMEOUT_SECONDS = 10


def enabled() -> bool:
    """Whether Campus writes mails. Production needs BASE_URL for the links in them
    (a request's Host header is the client's to write); without it, no mails."""
    config = current_app.config
    if config.get("MAIL_BACKEND", "smtp") == "off":
        return False
    return bool(config.get("BASE_URL")) or config.get("CAMPUS_ENV") != "production"


def warn_if_disabled(app) -> None:
    """At start-up: say once why a production server sends no mails."""
    config = app.config
    production = config.get("CAMPUS_ENV") == "production"
    if production and config.get("MAIL_BACKEND") != "off" and not config.get("BASE_URL"):
        app.logger.warning(
            "CAMPUS_BASE_URL is not set: Campus sends no mails (notifications, "
            "invitations, password resets) until it is, e.g. https://campus.stadt.example"
        )


def sender_domain() -> str:
    address = parseaddr(current_app.config.get("MAIL_FROM") or "")[1]
    return address.rpartition("@")[2] or "campus.invalid"


def write(
    *,
    kind: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    user_id: int | None = None,
    ticket_id: int | None = None,
    reply_to: str = "",
    hold: bool = False,
    now: datetime | None = None,
) -> Mail | None:
    """Put one mail into the outbox of the current unit of work (None: mail is off).
    `hold`: it waits for its reader's next digest instead of going out now."""
    if not enabled():
        return None
    now = now or utcnow()
    mail = Mail(
        kind=kind,
        user_id=user_id,
        to_address=to,
        subject=" ".join(subject.split())[:300],  # one line: no header injection
        text=text,
        html=html,
        ticket_id=ticket_id,
        reply_to=reply_to,
        message_id=f"{uuid.uuid4().hex}@{sender_domain()}",
        status=MailStatus.HELD if hold else MailStatus.PENDING,
        next_attempt_at=None if hold else now,
        created_at=now,
    )
    db.session.add(mail)
    if not hold:
        db.session.flush()
        record(MailWritten(at=now, mail_id=mail.id))
    return mail


# --- after the commit ---------------------------------------------------------------------


def send_soon(event: MailWritten) -> None:
    """After the commit: the mail goes out as a job of its own."""
    jobs.enqueue("mail.send", event.mail_id)


def lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("MAIL_LEASE_SECONDS", 120))


def build(mail: Mail) -> EmailMessage:
    """The RFC 5322 message for one outbox row (the same on every attempt)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "Campus <campus@localhost>"
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = f"<{mail.message_id}>"
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    if mail.ticket_id is not None:
        # Every mail about one ticket answers the same imaginary first one, so that mail
        # programs show them as one conversation.
        thread = f"<ticket-{mail.ticket_id}@{sender_domain()}>"
        message["In-Reply-To"] = thread
        message["References"] = thread
    # Written by a machine: no out-of-office answers, please (RFC 3834, Outlook's header).
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Campus-Kind"] = mail.kind
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


class Refused(Exception):
    """The mail server refused the message for good (5xx): trying again cannot help."""


def transmit(message: EmailMessage, to: str) -> None:
    """Hand the message to the configured backend, for the one address `to` (the
    envelope never takes its recipients from the header); raises on failure."""
    config = current_app.config
    backend = config.get("MAIL_BACKEND", "smtp")
    if backend == "folder":
        folder = Path(mail_folder())
        folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{message['Message-ID'].strip('<>').partition('@')[0][:12]}.eml"
        (folder / name).write_bytes(bytes(message))
        return
    host, port = config.get("MAIL_SERVER") or "localhost", int(config.get("MAIL_PORT") or 25)
    kind = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    try:
        with kind(host, port, timeout=TIMEOUT_SECONDS) as server:
            if config.get("MAIL_USE_TLS"):
                server.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            # The envelope names the one stored address, whatever the header holds.
            server.send_message(message, to_addrs=[to])
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            raise Refused(f"address refused ({codes[0]})") from error
        raise
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600 and error.smtp_code != 530:
            raise Refused(f"refused by the mail server ({error.smtp_code})") from error
        raise


def mail_folder() -> str:
    return current_app.config.get("MAIL_FOLDER") or str(Path(current_app.instance_path) / "mails")


def _reason(error: Exception) -> str:
    """A short reason for the admin's list (no passwords, no server dialogue)."""
    if isinstance(error, Refused):
        return str(error)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "login at the mail server failed"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"mail server answered {error.smtp_code}"
    if isinstance(error, TimeoutError):
        return "mail server timed out"
    if isinstance(error, (OSError, smtplib.SMTPException)):
        return "could not reach the mail server"
    return type(error).__name__


def attempt(mail_id: int, now: datetime | None = None) -> bool | None:
    """One attempt at one mail: lease, send, record. None if it was not ours to send."""
    now = now or utcnow()
    token = outbox.take(Mail, mail_id, MailStatus.PENDING, now, lease())
    if token is None:
        return None
    mail = db.session.get(Mail, mail_id, populate_existing=True)
    message, to = build(mail), mail.to_address
    db.session.commit()  # end the read: nothing is held while the mail server thinks
    error, final = "", False
    try:
        transmit(message, to)
    except Refused as refused:
        error, final = _reason(refused), True
    except Exception as failure:
        current_app.logger.warning("mail %s not sent: %s", mail_id, _reason(failure))
        error = _reason(failure)
    with work():
        mail = db.session.get(Mail, mail_id, populate_existing=True)
        if mail is None or mail.claim != token:
            return False  # our lease ran out and another attempt took over
        if final:
            mail.attempts = outbox.MAX_ATTEMPTS
        outbox.settle(mail, error, now, MailStatus.SENT, MailStatus.FAILED)
        if not error:
            mail.sent_at = now
        retry = outbox.retry_after(mail) if error else None
    if retry is not None:
        jobs.enqueue_in(retry, "mail.send", mail_id)
    return not error


def send_due(now: datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """Every mail whose (next) attempt is due: (sent, not yet)."""
    now = now or utcnow()
    outcomes = [attempt(i, now) for i in outbox.due_ids(Mail, MailStatus.PENDING, now, limit)]
    return outcomes.count(True), outcomes.count(False)


def display(name: str, address: str) -> str:
    """ "Name <address>" with the name encoded as the standard wants."""
    return formataddr((name, address))


def retry_failed(actor, mail_id: int, now: datetime | None = None) -> bool:
    """An admin sends a failed mail again (the mail server was fixed): a fresh round of
    attempts, after the commit."""
    from campus.permissions import can_administer

    if not can_administer(actor):
        from campus.exceptions import NotAllowed

        raise NotAllowed("Only administrators may send mails again.")
    now = now or utcnow()
    mail = db.session.get(Mail, mail_id)
    if mail is None or mail.status != MailStatus.FAILED:
        return False
    mail.status, mail.attempts, mail.next_attempt_at, mail.last_error = (
        MailStatus.PENDING,
        0,
        now,
        "",
    )
    db.session.flush()
    record(MailWritten(at=now, mail_id=mail.id))
    return True
