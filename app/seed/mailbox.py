"""Demo mail in the triage queue: one message in each Inbound Message status.

Each message is stored as the listener stores mail (raw bytes in `inbound_emails`) and then
as the router would have filed it, so the incoming email log, the queue and the message page
all have something true to show. Found again by Message-ID, so seeding twice adds nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import select

from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.inbound.models import InboundEmail, InboundMessage, InboundMessageAttachment
from app.inbound.outcomes import OUTCOMES
from app.seed.pictures import striped_png
from app.uploads import keep_file


@dataclass(frozen=True)
class DemoMail:
    key: str  # the Message-ID's local part
    sender: str
    name: str
    subject: str
    body: str
    status: str
    age_minutes: int
    reason: str = "general_address"
    picture: tuple[int, int, int] | None = None
    read: bool = False


MAILS = (
    DemoMail("fallen-branch", "dora.diaz@example.net", "Dora Diaz", "Big branch down on Walnut St",
             "A large branch came down in last night's wind and blocks half of Walnut St near number 410.\n"
             "Photo attached. Cars are driving onto the verge to get round it.",
             "awaiting_review", 25, reason="unknown_sender", picture=(60, 140, 60)),
    DemoMail("bus-stop-pond", "resident2@example.com", "Resident 2", "Water pooling at the bus stop",
             "Every time it rains the bus stop on Grand Ave turns into a pond. Could someone look at the drain?",
             "awaiting_review", 90),
    DemoMail("suspicious-reply", "billing@notreally.example", "City Payments", "Your account is overdue",
             "Pay your water bill now at this link or service stops today.",
             "needs_attention", 300, reason="sender_not_authenticated", read=True),
    DemoMail("thank-you", "resident4@example.com", "Resident 4", "Thanks for fixing the sidewalk",
             "Just wanted to say thanks for the quick repair at Washington Park.",
             "closed", 2000, read=True),
)


def _raw(mail: DemoMail, to: str, at) -> bytes:
    message = EmailMessage()
    message["From"] = f"{mail.name} <{mail.sender}>"
    message["To"] = to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<{mail.key}@demo.example>"
    message.set_content(mail.body)
    if mail.picture:
        message.add_attachment(striped_png(mail.picture), maintype="image", subtype="png", filename="photo.png")
    return message.as_bytes()


def seed_mailbox(org, residents_by_email: dict) -> None:
    """File the demo mails of `org` (once each) in its triage queue."""
    now = utcnow()
    for mail in MAILS:
        message_id = f"<{mail.key}@demo.example>"
        if db.session.scalar(select(InboundEmail.id).where(InboundEmail.message_id == message_id)):
            continue
        at = now - timedelta(minutes=mail.age_minutes)
        raw = _raw(mail, org.general_email, at)
        outcome = OUTCOMES[mail.reason]
        stored = InboundEmail(
            message_id=message_id, sha256=hashlib.sha256(raw).hexdigest(), raw=raw, envelope_from=mail.sender,
            envelope_to=[org.general_email], received_via="smtp", status="triaged", outcome=outcome.text,
            received_at=at, processed_at=at, attempts=1, reason=mail.reason, sender_email=mail.sender,
            subject=mail.subject, organization_id=org.id, dedupe_key=message_id)
        db.session.add(stored)
        db.session.flush()
        sender = residents_by_email.get(mail.sender)
        message = InboundMessage(
            organization_id=org.id, inbound_email_id=stored.id, sender_email=mail.sender, sender_name=mail.name,
            sender_user_id=sender.id if sender else None, recipient=org.general_email, subject=mail.subject,
            body=mail.body, full_body=mail.body, status=mail.status, reason=mail.reason, reason_text=outcome.text,
            read_at=at + timedelta(minutes=10) if mail.read else None, created_at=at, updated_at=at)
        if mail.picture:
            data = striped_png(mail.picture)
            message.attachments.append(InboundMessageAttachment(**keep_file(data, "photo.png", "image/png")))
        db.session.add(message)
        db.session.flush()
        db.session.add(Event(kind="inbound.message_received", organization_id=org.id, created_at=at,
                             dispatched_at=at, payload={"inbound_message_id": message.id}))
