"""The small city every inbound test mails into, and helpers to send mail to it."""

from __future__ import annotations

import base64
import hashlib
import re
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from flask import current_app

from app.accounts.models import EmailAlias
from app.extensions import db
from app.inbound.actors import process_inbound_email
from app.inbound.receive import store_raw_message
from emails.tokens import make_reply_token
from tests.factories import (
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    make_member,
)

DOMAIN = "inbound.test"

# The deliveries the corpus's reply tokens name. COORDINATOR: once EmailDelivery exists,
# create these rows in `build_world` (event, organization, request, user, email, internal).
DELIVERIES = {
    101: {"request": "open000001", "user": "ann@example.org", "internal": False},
    102: {"request": "open000001", "user": "sam@springfield.gov", "internal": True},
    103: {"request": "closed0001", "user": "ann@example.org", "internal": False},
}


@dataclass
class World:
    org: object
    category: object
    ann: object
    bob: object
    sam: object
    open_request: object
    closed_request: object


def build_world(settings: dict | None = None) -> World:
    org = OrganizationFactory(slug="springfield", general_email=f"springfield@{DOMAIN}",
                              sender_email=f"springfield-notices@{DOMAIN}", settings=settings or {})
    category = CategoryFactory(organization=org, code="pothole")
    ann = UserFactory(email="ann@example.org", name="Ann Resident")
    bob = UserFactory(email="bob@example.org", name="Bob Neighbour")
    sam = make_member(org, "staff", email="sam@springfield.gov", name="Sam Staff")
    db.session.add_all([
        EmailAlias(user_id=ann.id, email="ann.home@example.net", confirmed_at=datetime.now(UTC)),
        EmailAlias(user_id=ann.id, email="ann.old@example.com"),  # never confirmed
    ])
    open_request = ServiceRequestFactory(category=category, reporter=ann, public_id="open000001")
    closed_request = ServiceRequestFactory(category=category, reporter=ann, public_id="closed0001",
                                           status="closed", closed_at=datetime.now(UTC))
    db.session.commit()
    return World(org, category, ann, bob, sam, open_request, closed_request)


def tampered(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("a" if last != "a" else "b")


def render(template: bytes) -> bytes:
    """Fill `{{token:N}}` and `{{tampered_token:N}}` with reply tokens signed by this app."""
    secret = current_app.config["SECRET_KEY"]

    def replace(match: re.Match) -> bytes:
        kind, number = match.group(1).decode(), int(match.group(2))
        token = make_reply_token(number, secret)
        return (tampered(token) if kind == "tampered_token" else token).encode()

    return re.sub(rb"\{\{(token|tampered_token):(\d+)\}\}", replace, template)


_OUR_ADDRESS = re.compile(rb"[A-Za-z0-9.+_=-]+@" + re.escape(DOMAIN).encode(), re.IGNORECASE)
_FROM = re.compile(rb"^From:.*?([A-Za-z0-9.+_-]+@[A-Za-z0-9.-]+)", re.IGNORECASE | re.MULTILINE)


def envelope_for(raw: bytes) -> tuple[str, list[str]]:
    """Envelope sender and our recipients, as an MTA would take them from the headers."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    recipients = []
    for line in re.findall(rb"^(?:To|Cc):.*(?:\r?\n[ \t].*)*", head, re.IGNORECASE | re.MULTILINE):
        recipients += [m.decode() for m in _OUR_ADDRESS.findall(line)]
    sender = _FROM.search(head)
    return (sender.group(1).decode() if sender else ""), list(dict.fromkeys(recipients))


def send_smtp(listener, raw: bytes, mail_from: str, rcpt: list[str]) -> None:
    """Send as an MTA would: CRLF line ends (smtplib leaves bytes as they are)."""
    with smtplib.SMTP(listener.hostname, listener.port) as smtp:
        smtp.sendmail(mail_from, rcpt, re.sub(rb"\r?\n", b"\r\n", raw))


def store_and_process(raw: bytes, **envelope) -> int:
    """Store as a receiving path would, then run the actor's work in this thread."""
    stored_id = store_raw_message(raw, received_via="cli", **envelope)
    process_inbound_email.fn(stored_id)
    return stored_id


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def mail(sender: str, body: str, *, to: str = "springfield@inbound.test", subject: str = "Hello",
         photo: bool = False) -> bytes:
    """A plain message as a mail client writes it; the same arguments give the same Message-ID."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = f"<{hashlib.sha256(f'{sender}|{body}|{subject}'.encode()).hexdigest()[:24]}@example.org>"
    message.set_content(body)
    if photo:
        message.add_attachment(PNG, maintype="image", subtype="png", filename="photo.png")
    return message.as_bytes()
