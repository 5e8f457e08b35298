"""Parsing one raw RFC 5322 message into what routing needs; it never raises.

The stdlib parser in its lenient `compat32` mode reads the structure (the modern policy
raises on some malformed headers when they are read). Headers are decoded here (RFC 2047,
raw 8-bit), bodies by `emails.charsets`, HTML by `emails.html_text`, quote stripping by
`emails.replies`. Whatever could not be read is listed in `defects`, not raised.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses

from emails.charsets import clean_text, decode_bytes, repair_header_text
from emails.html_text import html_to_text
from emails.replies import visible_reply

MAX_HEADER_CHARS = 2000  # enough for any honest header; keeps log rows and indexes sane
_PLAUSIBLE_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+")


@dataclass
class MimePart:
    """A leaf of the message that is a file rather than body text."""

    filename: str | None
    declared_type: str
    data: bytes
    inline: bool
    content_id: str | None


@dataclass
class ParsedEmail:
    message_id: str | None = None
    subject: str = ""
    from_name: str = ""
    from_email: str = ""
    recipients: list[str] = field(default_factory=list)  # To, Cc, Delivered-To, X-Original-To
    content_type: str = "text/plain"
    text: str = ""  # the whole body as text, quotes included
    reply: str = ""  # only what the sender wrote in this message
    attachments: list[MimePart] = field(default_factory=list)
    inline_images_ignored: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    message: Message | None = None  # the parsed tree, for bounce reports

    def header(self, name: str) -> list[str]:
        """Every decoded value of header `name` (empty when absent or unreadable)."""
        if self.message is None:
            return []
        try:
            values = self.message.get_all(name) or []
        except Exception:
            return []
        return [decode_header_value(v) for v in values]

    def first_header(self, name: str) -> str:
        values = self.header(name)
        return values[0] if values else ""


def decode_header_value(value) -> str:
    """RFC 2047 words and raw 8-bit bytes to text, unfolded; never raises."""
    try:
        chunks = []
        for chunk, charset in decode_header(value):
            chunks.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else repair_header_text(chunk))
        text = "".join(chunks)
    except Exception:
        text = repair_header_text(str(value))
    text = re.sub(r"\r?\n[ \t]*", " ", text).strip()
    return clean_text(text)[:MAX_HEADER_CHARS]


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    try:
        pairs = getaddresses(values)
    except Exception:
        return []
    return [(name.strip(), addr.strip().lower()) for name, addr in pairs if _PLAUSIBLE_ADDRESS.fullmatch(addr.strip())]


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    return decode_header_value(name) if name else None


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:  # an undecodable charset parameter: let decode_bytes guess
        return None


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _leaves(message: Message):
    """Leaf parts in order, not descending into attached or reported messages."""
    if message.is_multipart() and not message.get_content_type().startswith("message/"):
        for child in message.get_payload():
            if isinstance(child, Message):
                yield from _leaves(child)
    else:
        yield message


def _is_body_text(part: Message, content_type: str) -> bool:
    return content_type in ("text/plain", "text/html") and _disposition(part) != "attachment" \
        and not _filename(part)


def _collect(parsed: ParsedEmail, message: Message) -> str:
    """Fill text and file parts from the leaves; return the HTML body (for cid references)."""
    plain, html, files = [], [], []
    for part in _leaves(message):
        content_type = part.get_content_type()
        if content_type.startswith("multipart/"):
            # A multipart without a usable boundary: its payload is plain text, read it as such.
            if isinstance(part.get_payload(), str):
                plain.append(decode_bytes(_payload(part), _charset(part)))
            continue
        if content_type in ("message/delivery-status", "message/disposition-notification"):
            continue  # the machine-readable part of a report, read by emails.dsn
        if _is_body_text(part, content_type):
            text = decode_bytes(_payload(part), _charset(part)).replace("\r\n", "\n").replace("\r", "\n")
            (html if content_type == "text/html" else plain).append(text)
            continue
        data = part.as_bytes() if content_type.startswith("message/") and part.is_multipart() else _payload(part)
        content_id = (part.get("Content-ID") or "").strip().strip("<>") or None
        files.append(MimePart(_filename(part), content_type, data, _disposition(part) == "inline", content_id))
    html_body = "\n".join(html)
    parsed.text = "\n".join(t.strip("\n") for t in plain if t.strip())
    if not parsed.text.strip() and html_body.strip():
        parsed.text = html_to_text(html_body)
    referenced = set(re.findall(r"cid:([^\"'\s>)]+)", html_body, re.IGNORECASE))
    for item in files:
        # Pictures shown inside the HTML (signature logos, pasted images) are part of the body.
        if item.content_id and item.content_id in referenced and _disposition_is_not_attachment(item):
            parsed.inline_images_ignored.append(item.filename or item.content_id)
        else:
            parsed.attachments.append(item)
    return html_body


def _disposition_is_not_attachment(item: MimePart) -> bool:
    return item.inline or item.filename is None or item.declared_type.startswith("image/")


def parse_message(raw: bytes) -> ParsedEmail:
    """Everything routing needs from `raw`; on any failure the fields stay empty, never raise."""
    parsed = ParsedEmail()
    try:
        message = email.message_from_bytes(raw, policy=compat32)
    except Exception as exc:  # the stdlib parser is lenient; this is for the truly unexpected
        parsed.defects.append(f"unparseable message: {exc.__class__.__name__}")
        parsed.text = decode_bytes(raw)
        parsed.reply = visible_reply(parsed.text)
        return parsed
    parsed.message = message
    parsed.defects.extend(type(d).__name__ for d in getattr(message, "defects", []))
    parsed.message_id = normalize_message_id(parsed.first_header("Message-ID"))
    parsed.subject = parsed.first_header("Subject")
    senders = _addresses(parsed.header("From"))
    if senders:
        parsed.from_name, parsed.from_email = senders[0]
    headers = [v for name in ("To", "Cc", "Delivered-To", "X-Original-To") for v in parsed.header(name)]
    parsed.recipients = list(dict.fromkeys(addr for _, addr in _addresses(headers)))
    try:
        parsed.content_type = message.get_content_type()
        _collect(parsed, message)
    except Exception as exc:  # a structure the walker did not foresee: keep what we can read
        parsed.defects.append(f"unreadable structure: {exc.__class__.__name__}")
        if not parsed.text:
            parsed.text = decode_bytes(raw)
    parsed.reply = visible_reply(parsed.text)
    return parsed


def normalize_message_id(value: str | None) -> str | None:
    """The Message-ID as one comparable token, or None when there is none."""
    if not value:
        return None
    cleaned = clean_text(value).strip()
    return cleaned[:MAX_HEADER_CHARS] or None
