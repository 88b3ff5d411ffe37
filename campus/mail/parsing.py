"""One inbound e-mail (RFC 5322 bytes) -> what a ticket needs: who sent it, to whom, the
new text of the reply without what it quotes, and its attachments. No Flask, no database.

Teachers answer from Outlook, Gmail, Apple Mail, Thunderbird and phones, in German or
English; each marks the quoted mail its own way ("Am ... schrieb ...:", "On ... wrote:",
Outlook's "Von:/Gesendet:/An:/Betreff:" block, "-----Ursprüngliche Nachricht-----",
a forwarded part, "Gesendet von meinem iPhone"). The new text is what stands above the
first such mark. The rules are line by line with anchored patterns: the input is
anyone's, and no pattern can take long on a long line.
"""

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

MAX_TEXT = 100_000
MAX_ATTACHMENTS = 10
MAX_LINE_CHECK = 300  # a quote header is short; longer lines are text


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Incoming:
    message_id: str
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    full_text: str
    attachments: tuple[Attachment, ...]
    automatic: bool
    in_reply_to: tuple[str, ...]


# --- where the new text ends -------------------------------------------------------------

_QUOTE_HEADER = re.compile(
    r"^\s*(?:(?:Am|On|Le|El)\s.{0,250}?(?:schrieb|wrote|a écrit|escribió)[^:\n]{0,80}"
    r"|.{1,160}?\s(?:schrieb am|wrote on)\s.{1,80}):\s*$",
    re.IGNORECASE,
)
# A quote header names a date, a time or an address; "Am Montag schrieb ich Ihnen:" is text.
_NAMES_WHEN_OR_WHO = re.compile(r"\d|@|<")
_SEPARATORS = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Originalnachricht)\s*-{2,}"
    r"|-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht)\s*-{2,}"
    r"|(?:Anfang der weitergeleiteten Nachricht|Begin forwarded message)\s*:"
    r"|_{10,}"
    r"|--\s*"
    r"|(?:Gesendet von meinem|Gesendet mit|Von meinem \S+(?: \S+)? gesendet|Sent from my"
    r"|Gesendet von Outlook|Get Outlook for|Von Outlook für)\b.*"
    r")$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(?:Von|From)\s*:\*?\s", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(?:Gesendet|Sent|Datum|Date|An|To|Betreff|Subject|Cc)\s*:\*?\s", re.IGNORECASE
)


def _is_quote_header(line: str) -> bool:
    return bool(_QUOTE_HEADER.match(line)) and bool(_NAMES_WHEN_OR_WHO.search(line))


def _cuts_here(lines: list[str], index: int) -> bool:
    line = lines[index]
    if line.lstrip().startswith(">"):
        return True
    if len(line) > MAX_LINE_CHECK:
        return False
    if _SEPARATORS.match(line) or _is_quote_header(line):
        return True
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if len(following) <= MAX_LINE_CHECK and _is_quote_header(f"{line} {following}"):
        return True  # Gmail wraps "Am ... schrieb Name <\naddress>:" over two lines
    if _HEADER_FROM.match(line):
        # Outlook's header block: "Von:" followed by "Gesendet:", "An:", "Betreff:" ...
        return any(_HEADER_NEXT.match(nxt) for nxt in lines[index + 1 : index + 4])
    return False


def reply_text(text: str) -> str:
    """The new part of a plain-text reply: everything above the first quote mark."""
    lines = (text or "")[:MAX_TEXT].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = []
    for index in range(len(lines)):
        if _cuts_here(lines, index):
            break
        kept.append(lines[index].rstrip())
    text = _tidy("\n".join(kept))
    return text or _below_the_quote(lines)


def _below_the_quote(lines: list[str]) -> str:
    """Nothing above the quote: an answer written below it ("bottom posting") is the
    unquoted text after it, up to a signature or another quoted part."""
    kept, started = [], False
    for index, line in enumerate(lines):
        quoted = line.lstrip().startswith(">")
        if quoted or (not started and _cuts_here(lines, index)):
            if kept and any(k.strip() for k in kept):
                break  # the answer ended where the next quote begins
            started = True
            continue
        if started and len(line) <= MAX_LINE_CHECK and _SEPARATORS.match(line):
            break
        if started:
            kept.append(line.rstrip())
    return _tidy("\n".join(kept))


def _tidy(text: str) -> str:
    text = re.sub(r"\n{3,}", "\n\n", text.replace("\u00a0", " "))
    return text.strip()


# --- HTML mail -----------------------------------------------------------------------------

_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul"}
_VOID = {"br", "img", "hr", "meta", "input", "link", "col", "area", "base", "wbr", "source"}
_HIDDEN = {"script", "style", "head", "title", "template"}
_QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote")
_STOP_IDS = ("divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container")


class _Text(HTMLParser):
    def __init__(self, drop_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_quotes = drop_quotes
        self.parts: list[str] = []
        self.skipping: list[str] = []  # the tags of the hidden part we are inside
        self.stopped = False

    def _hides(self, tag: str, attrs: dict[str, str]) -> bool:
        if tag in _HIDDEN:
            return True
        if not self.drop_quotes:
            return False
        classes = (attrs.get("class") or "").lower()
        return tag == "blockquote" or any(name in classes for name in _QUOTE_CLASSES)

    def handle_starttag(self, tag, attrs):
        if self.stopped:
            return
        found = {name: value or "" for name, value in attrs}
        if self.drop_quotes and (found.get("id") or "").lower() in _STOP_IDS:
            self.stopped = True  # Outlook: the quoted mail follows to the end
            return
        if tag == "hr" and self.drop_quotes and not self.skipping and "".join(self.parts).strip():
            self.stopped = True  # Outlook on the web: a rule above the quoted header
            return
        if self.skipping:
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if self._hides(tag, found) and tag not in _VOID:
            self.skipping.append(tag)
            return
        if tag in _BLOCKS:
            self._break()

    def _break(self, paragraph: bool = False) -> None:
        """One line break at a block's edge (a paragraph's end: an empty line)."""
        text = "".join(self.parts[-3:]).rstrip(" ")
        if paragraph:
            self.parts.append("\n\n")
        elif text and not text.endswith("\n"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.stopped:
            return
        if self.skipping:
            if tag in self.skipping:  # tolerate unclosed inner tags
                while self.skipping and self.skipping.pop() != tag:
                    pass
            return
        if tag in _BLOCKS:
            self._break(paragraph=tag == "p")

    def handle_data(self, data):
        if not self.stopped and not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str, drop_quotes: bool = False) -> str:
    """Readable plain text from an HTML mail (stdlib parser only)."""
    parser = _Text(drop_quotes)
    try:
        parser.feed((html or "")[: MAX_TEXT * 4])
        parser.close()
    except Exception:  # noqa: S110 - broken HTML: keep what was read
        pass
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return _tidy("\n".join(lines))


# --- the message -----------------------------------------------------------------------------

_AUTOMATIC_SENDERS = re.compile(
    r"^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)[@+.-]", re.IGNORECASE
)


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
        return " ".join(str(value).split()) if value is not None else ""
    except Exception:
        return ""


def _all_headers(message: EmailMessage, name: str) -> list[str]:
    try:
        return [str(value) for value in message.get_all(name) or []]
    except Exception:
        return []


def _content(part) -> str:
    try:
        content = part.get_content()
    except Exception:
        payload = part.get_payload(decode=True) or b""
        try:
            content = payload.decode("utf-8")
        except UnicodeDecodeError:
            content = payload.decode("latin-1", errors="replace")
    return content if isinstance(content, str) else ""


def _automatic(message: EmailMessage, sender: str) -> bool:
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if _header(message, "Precedence").lower() in ("bulk", "junk", "list", "auto_reply"):
        return True
    if any(_header(message, name) for name in ("List-Id", "X-Autoreply", "X-Autorespond")):
        return True
    if _header(message, "X-Auto-Response-Suppress").lower() in ("all", "oof"):
        return True  # Outlook marks its own automatic answers so
    if message.get_content_type() == "multipart/report":
        return True
    return bool(_AUTOMATIC_SENDERS.match(sender))


def parse(raw: bytes) -> Incoming:
    """Read one message; never raises (a broken part is left out)."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw or b"")
    except Exception:
        message = EmailMessage()
    sender_name, sender = parseaddr(_header(message, "From"))
    sender = sender.strip().lower() if "@" in sender else ""
    recipients: list[str] = []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        for _name, address in getaddresses(_all_headers(message, name)):
            address = address.strip().lower()
            if "@" in address and address not in recipients:
                recipients.append(address)
    plain, html, attachments = None, None, []
    try:
        parts = list(message.walk())
    except Exception:
        parts = []
    for part in parts:
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = part.get_filename() or ""
        if kind == "text/plain" and disposition != "attachment" and plain is None:
            plain = _content(part)
        elif kind == "text/html" and disposition != "attachment" and html is None:
            html = _content(part)
        elif len(attachments) < MAX_ATTACHMENTS and (
            part.get_content_maintype() not in ("text", "message") or filename
        ):
            data = part.get_payload(decode=True) or b""
            if data:
                attachments.append(Attachment(filename, kind.lower(), data))
    if plain is not None:
        full_text, text = _tidy(plain[:MAX_TEXT]), reply_text(plain)
    elif html is not None:
        full_text = html_to_text(html)[:MAX_TEXT]
        text = reply_text(html_to_text(html, drop_quotes=True))
    else:
        full_text, text = "", ""
    references = " ".join(
        [_header(message, "In-Reply-To"), _header(message, "References")]
    )  # fmt: skip
    return Incoming(
        message_id=_header(message, "Message-ID").strip().strip("<>"),
        sender=sender,
        sender_name=sender_name,
        recipients=tuple(recipients),
        subject=_header(message, "Subject"),
        text=text,
        full_text=full_text,
        attachments=tuple(attachments),
        automatic=_automatic(message, sender),
        in_reply_to=tuple(dict.fromkeys(re.findall(r"<([^<>\s]{1,250})>", references))),
    )
