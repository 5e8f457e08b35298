"""Platform operators' pages: the dev mail sink's messages (development and testing only)."""

from __future__ import annotations

from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parsedate_to_datetime

from flask import current_app, render_template
from flask_babel import gettext as _

from app.api.auth import require_user
from app.errors import Forbidden, NotFound
from app.mailsink import read_sink
from app.portal.access import is_platform_operator
from app.portal.web import portal_blueprint

bp = portal_blueprint("admin", __name__, url_prefix="/admin")

SHOWN_MESSAGES = 200


@dataclass(frozen=True)
class SinkMessage:
    subject: str
    sender: str
    recipients: str
    date: object
    headers: list[tuple[str, str]]
    text: str
    html: str


def _header(message: Message, name: str) -> str:
    raw = message.get(name)
    return "" if raw is None else _decoded(raw)


def _decoded(raw) -> str:
    try:
        return str(make_header(decode_header(str(raw))))
    except (ValueError, LookupError):
        return str(raw)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    try:
        return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _bodies(message: Message) -> tuple[str, str]:
    text = html = ""
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() == "text/plain" and not text:
            text = _part_text(part)
        elif part.get_content_type() == "text/html" and not html:
            html = _part_text(part)
    return text, html


def describe(message: Message) -> SinkMessage:
    """What the admin page shows of one kept message."""
    text, html = _bodies(message)
    try:
        date = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    return SinkMessage(
        subject=_header(message, "Subject") or "(no subject)",
        sender=_header(message, "From"),
        recipients=", ".join(filter(None, (_header(message, "To"), _header(message, "X-RcptTo")))),
        date=date,
        headers=[(name, _decoded(value)) for name, value in message.items()],
        text=text,
        html=html,
    )


@bp.get("/mail")
def mail_sink():
    """Every message the dev mail sink kept, newest first."""
    if current_app.config["APP_ENV"] == "production":
        raise NotFound(_("There is no dev mail sink in production."))
    if not is_platform_operator(require_user()):
        raise Forbidden(_("The dev mail sink is for platform operators."))
    messages = read_sink(current_app.config["MAIL_SINK_DIR"])
    return render_template("admin/mail_sink.html", messages=[describe(m) for m in messages[:SHOWN_MESSAGES]],
                           total=len(messages), sink_dir=current_app.config["MAIL_SINK_DIR"])
