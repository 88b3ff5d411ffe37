"""Inbound mail: one raw RFC 5322 message turned into what a reply on a ticket needs. Pure
(no Flask, no database) and never raising: the bytes come from anyone. The new text is found
by line rules for what Outlook, Gmail, Apple Mail, Thunderbird and phones put under it, in
German or English; each pattern is tried on one short line and cannot backtrack for long.
"""

import re
from contextlib import suppress
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import default
from email.utils import getaddresses
from html.parser import HTMLParser

MAX_TEXT, MAX_HTML, MAX_ATTACHMENTS, MAX_PARTS = 100_000, 500_000, 10, 200
MAX_HEADER_LINE = 400  # a quote header or a separator is short; longer lines are text


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # lower-case, e.g. "image/jpeg"
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


_QUOTE_START = re.compile(r"(?:Am|On)\s")
_WROTE = re.compile(r"\b(?:schrieb|wrote)\b")
_WROTE_END = re.compile(r"\b(?:schrieb|wrote)(?:\s+(?:am|on)\s.*)?\s*:$")  # "X schrieb am 1.2.:"
_ENDS = re.compile(  # separators, forwarded parts, phones' signatures
    r"(?i)-{2,}\s*(?:Urspr\u00fcngliche Nachricht|Original Message|Originalnachricht"
    r"|Weitergeleitete Nachricht|Forwarded message)\s*-*$"
    r"|(?:Anfang der weitergeleiteten Nachricht|Begin forwarded message)\s*:?$"
    r"|(?:Gesendet|Sent) (?:von|from|mit|with) (?:meinem|my|Outlook|Mail|der|the)\b"
    r"|Von meinem \S.{0,60}gesendet\b|Get Outlook for\b|Holen Sie sich Outlook\b"
    r"|Von Outlook f\u00fcr\b"
)
_FROM = re.compile(r"\*?(?:Von|From)\*?\s?:")
_FIELD = re.compile(r"\*?(?:Gesendet|Sent|Datum|Date|An|To|Cc|Betreff|Subject)\*?\s?:")
_SENT_SUBJECT = re.compile(r"\b(?:Gesendet|Sent|Betreff|Subject)\*?\s?:")
_UNDERLINE, _RULE = re.compile(r"_{10,}$"), re.compile(r"[_\-=*]{5,}$")
_BLANK_LINES = re.compile(r"\n{3,}")
_HIDDEN = {"script", "style", "head", "title", "template"}
_BLOCK = re.compile(r"address|article|blockquote|center|d[dlt]|div|h[1-6r]|li|ol|p|pre|table|tr|ul")
_QUOTE_CLASSES = {"gmail_quote", "gmail_quote_container", "moz-cite-prefix", "yahoo_quoted"}
_QUOTE_IDS = {"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"}
_LONE_BRACKET, _SPACES = re.compile(r"<(?![^<>]{0,2000}>)"), re.compile(r"[ \t\r\n\f]+")
_AUTO_SUBJECT = re.compile(r"(?i)(?:Automatische Antwort|Abwesenheitsnotiz|Automatic reply)\b")
_NO_REPLY, _MESSAGE_ID = re.compile(r"no-?reply|do-?not-?reply"), re.compile(r"<([^<>\s]+)>")
_FLOWED = re.compile(r"^(?!-- $)([^>\n][^\n]*?) \n(?=[^>\n])", re.MULTILINE)  # RFC 3676
_SUPERSETS = {"": "utf-8", "us-ascii": "utf-8", "ascii": "utf-8", "iso-8859-1": "cp1252"}
_UTF8 = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def reply_text(text: str) -> str:
    """What the sender wrote: quoted lines dropped, all from the first quote header, separator,
    forwarded part or signature on cut off; under a quote when nothing is above (bottom-posting)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    written, i = False, 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith(">"):
            i += 1
            continue
        if stripped == "--" or _ends_reply(lines, i):
            break
        if span := _quote_header(lines, i):
            after = next((line.strip() for line in lines[i + span :] if line.strip()), "")
            if written or not after.startswith(">"):
                break
            i += span
            continue
        kept.append(lines[i].rstrip() if stripped else "")
        written, i = written or bool(stripped), i + 1
    while kept and (not kept[-1] or _RULE.match(kept[-1].strip())):
        kept.pop()
    return _BLANK_LINES.sub("\n\n", "\n".join(kept)).strip()


def _ends_reply(lines: list[str], i: int) -> bool:
    """Whether line i starts what the sender did not write, e.g. Outlook's "Von:/An:" block."""
    line = lines[i].strip()
    if len(line) > MAX_HEADER_LINE:
        return False
    if len(line) <= 120 and _ENDS.match(line):
        return True
    if _UNDERLINE.match(line):  # Outlook's rule above its header block
        following = next((later.strip() for later in lines[i + 1 : i + 4] if later.strip()), "")
        return bool(_FROM.match(following))
    if not _FROM.match(line):
        return False
    one_line = len(_SENT_SUBJECT.findall(line)) >= 2  # "From: ... Sent: ... Subject: ..."
    return one_line or sum(1 for later in lines[i + 1 : i + 6] if _FIELD.match(later.strip())) >= 2


def _quote_header(lines: list[str], i: int) -> int:
    """The lines (Gmail wraps long ones) of a quote header at line i, 0 if none. It names a date,
    a time or an address, so that "Am Montag schrieb ich Ihnen:" stays text."""
    header = ""
    for span in (1, 2, 3):
        part = lines[i + span - 1].strip() if i + span <= len(lines) else ""
        if not part or len(header) + len(part) > MAX_HEADER_LINE:
            return 0
        header = f"{header} {part}" if header else part
        if header.endswith(":") and any(c.isdigit() or c == "@" for c in header):
            wrapped = span > 1 and "@" not in header and "<" not in header
            if _QUOTE_START.match(header) and _WROTE.search(header) and not wrapped:
                return span
            if span == 1 and _WROTE_END.search(header):
                return 1
        if span == 1 and (header.endswith(":") or not _QUOTE_START.match(header)):
            return 0
    return 0


class _Text(HTMLParser):
    def __init__(self, drop_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_quotes, self.out, self.newlines, self.pre = drop_quotes, [], 1, 0
        self.skip, self.stopped = ("", 0), False  # the tag whose content is left out, depth

    def emit(self, text: str) -> None:
        stripped = text.rstrip("\n")
        self.newlines = len(text) - len(stripped) + (0 if stripped else self.newlines)
        self.out.append(text)

    def block(self, newlines: int = 1) -> None:
        if self.out and newlines > self.newlines:
            self.emit("\n" * (newlines - self.newlines))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.stopped or (self.skip[0] and tag != self.skip[0]):
            if tag == "body" and self.skip[0] == "head":
                self.skip = ("", 0)  # a <head> nobody closed
            return
        if self.skip[0]:
            self.skip = (tag, self.skip[1] + 1)
            return
        found = {name: value or "" for name, value in attrs}
        if self.drop_quotes and found.get("id", "").lower() in _QUOTE_IDS:
            self.stopped = True  # Outlook: everything from here on is the mail answered
            return
        classes = set(found.get("class", "").split())
        quote = tag == "blockquote" or (tag == "div" and classes & _QUOTE_CLASSES)
        if tag in _HIDDEN or (self.drop_quotes and quote):
            self.skip = (tag, 1)
        elif tag in ("br", "td", "th"):
            self.emit("\n" if tag == "br" else " ")
        elif _BLOCK.fullmatch(tag):
            self.block(2 if tag == "p" and "MsoNormal" not in classes else 1)
            self.emit("- " if tag == "li" else "")
        self.pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if self.stopped or self.skip[0]:
            if tag == self.skip[0]:
                self.skip = (tag, self.skip[1] - 1) if self.skip[1] > 1 else ("", 0)
            return
        self.pre = max(0, self.pre - (tag == "pre"))
        if _BLOCK.fullmatch(tag):
            self.block()

    def handle_data(self, data: str) -> None:
        if not (self.stopped or self.skip[0]):
            data = data if self.pre else _SPACES.sub(" ", data)
            self.emit(data.lstrip(" ") if self.newlines and not self.pre else data)


def html_to_text(html: str, drop_quotes: bool = False) -> str:
    """Readable text from an HTML mail; with drop_quotes, without what Gmail, Outlook,
    Thunderbird and Apple Mail mark as the quoted mail. html.parser takes quadratic time over
    a comment or "<" nothing closes: comments are cut out by plain search, lone "<" made text."""
    html, kept, position = html[:MAX_HTML], [], 0
    while (start := html.find("<!--", position)) >= 0:
        kept.append(html[position:start])
        end = html.find("-->", start + 4)
        position = len(html) if end < 0 else end + 3
    parser = _Text(drop_quotes)
    with suppress(Exception):  # keep what was read before the parser gave up
        parser.feed(_LONE_BRACKET.sub("&lt;", "".join([*kept, html[position:]])))
        parser.close()
    lines = "".join(parser.out).replace("\xa0", " ").split("\n")
    return _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in lines)).strip()[:MAX_TEXT]


def parse(raw: bytes) -> Incoming:
    """Read one message. Never raises: what cannot be read is left out (no sender at worst)."""
    try:
        message = BytesParser(policy=default).parsebytes(bytes(raw))
        senders = _addresses(message, "From")
        sender_name, sender = senders[0] if senders else ("", "")
        to = ("To", "Cc", "Delivered-To", "X-Original-To")
        recipients = [address for name in to for _, address in _addresses(message, name)]
        plain, html, attachments = [], [], []
        for part in _leaves(message):
            with suppress(Exception):  # one unreadable part does not spoil the others
                kind = part.get_content_type()
                kind = "text/plain" if kind.startswith("multipart/") else kind  # no boundary
                filename = _clean(part.get_filename() or "").replace("\\", "/").split("/")[-1]
                inline = not filename and part.get_content_disposition() != "attachment"
                payload = part.get_payload(decode=True) or b""
                if kind in ("text/plain", "text/html") and inline:
                    text = _decode(payload, part.get_content_charset() or "")[:MAX_HTML]
                    text = _clean(text.replace("\r\n", "\n").replace("\r", "\n"))
                    if str(part.get_param("format", "")).lower() == "flowed":  # RFC 3676
                        text = _FLOWED.sub(r"\1 ", text)  # a soft break: the line goes on
                    (plain if kind == "text/plain" else html).append(text)
                    continue
                if isinstance(inner := part.get_payload(), list):  # message/rfc822, a report
                    payload = b"\n".join(m.as_bytes() for m in inner if isinstance(m, Message))
                if payload and len(attachments) < MAX_ATTACHMENTS:
                    attachments.append(Attachment(filename, kind, payload))
        if plain:
            full_text = "\n".join(plain).strip()[:MAX_TEXT]
            text = reply_text(full_text)
        else:
            full_text = html_to_text("\n".join(html))
            text = reply_text(html_to_text("\n".join(html), drop_quotes=True))
        subject = " ".join(_header(message, "Subject").split())
        found = _MESSAGE_ID.search(message_id := _header(message, "Message-ID"))
        references = _header(message, "In-Reply-To") + " " + _header(message, "References")
        # Nobody should answer (an out-of-office note, a bounce): mail loops between machines.
        submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
        local = sender.rpartition("@")[0]
        automatic = bool(
            submitted not in ("", "no")
            or _header(message, "Precedence").strip().lower() in ("bulk", "junk", "list")
            or any(name in message for name in ("List-Id", "X-Autoreply", "X-Autorespond"))
            or message.get_content_type() == "multipart/report"
            or local in ("mailer-daemon", "postmaster")
            or _NO_REPLY.search(local)
            or _AUTO_SUBJECT.match(subject)
        )
        return Incoming(
            message_id=found.group(1) if found else message_id.strip().strip("<>").strip(),
            sender=sender,
            sender_name=sender_name,
            recipients=tuple(dict.fromkeys(recipients)),
            subject=subject,
            text=text,
            full_text=full_text,
            attachments=tuple(attachments),
            automatic=automatic,
            in_reply_to=tuple(dict.fromkeys(_MESSAGE_ID.findall(references))),
        )
    except Exception:  # a gap in the guards above: the mail is ignored, the gateway goes on
        return Incoming("", "", "", (), "", "", "", (), False, ())


def _leaves(message: Message) -> list[Message]:
    """The parts with content: a loop, as msg.walk() recurses; message/rfc822 is one part."""
    found, stack = [], [message]
    while stack and len(found) < MAX_PARTS:
        part = stack.pop()
        payload = part.get_payload()
        if part.get_content_maintype() == "multipart" and isinstance(payload, list):
            stack.extend(reversed(payload[:MAX_PARTS]))
        else:
            found.append(part)
    return found


def _decode(data: bytes, charset: str) -> str:
    """Bytes in their charset; unknown or unfit: UTF-8, or Windows-1252 if nothing is UTF-8."""
    charset = charset.strip().lower()
    for codec in (_SUPERSETS.get(charset, charset), "utf-8"):
        with suppress(Exception):  # LookupError, UnicodeError, codecs that are no text
            return data.decode(codec)
    return data.decode("utf-8" if _UTF8.search(data) else "cp1252", errors="replace")


def _clean(text: str) -> str:
    """Storable text: raw 8-bit bytes kept as surrogates decoded, NUL (PostgreSQL) dropped."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeError:
        raw = text.encode("utf-8", "replace")
    return _decode(raw, "utf-8").replace("\x00", "")


def _header(message: Message, name: str) -> str:
    """A header's values, decoded; one the parser chokes on is taken as it came."""
    try:
        values = [str(value) for value in message.get_all(name, [])]
    except Exception:
        values = [str(v) for k, v in message.raw_items() if k.lower() == name.lower()]
    return _clean(" ".join(values))


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(name, address) pairs, the address lower-cased; real ones only."""
    try:
        headers = message.get_all(name, [])
        pairs = [
            (a.display_name, a.addr_spec) for h in headers for a in getattr(h, "addresses", ())
        ]
        pairs += getaddresses([str(h) for h in headers if not hasattr(h, "addresses")])
    except Exception:
        pairs = getaddresses([_header(message, name)])
    found = [(_clean(label).strip(), _clean(address).strip().lower()) for label, address in pairs]
    return [(label, address) for label, address in found if "@" in address]
