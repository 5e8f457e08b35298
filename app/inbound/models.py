"""Raw inbound mail (stored before anything else happens to it) and the staff triage queue."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, CITEXT, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import created_at_column, enum_check, updated_at_column
from app.extensions import db
from app.uploads import StoredFile


class InboundEmailStatus(enum.StrEnum):
    RECEIVED = "received"  # stored, not yet processed: the sweep re-sends these
    PROCESSED = "processed"  # did something other than triage (a comment, a bounce recorded)
    TRIAGED = "triaged"  # became an Inbound Message for staff
    IGNORED = "ignored"  # noise (auto-reply, loop, nobody's address): logged, nothing created
    DUPLICATE = "duplicate"  # the same Message-ID was processed before
    FAILED = "failed"  # processing kept failing; the raw message stays for a retry


class InboundEmail(db.Model):
    """One received message, byte for byte, and what became of it (the incoming email log)."""

    __tablename__ = "inbound_emails"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[str | None] = mapped_column(Text, index=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    # NULL once the organization's retention period for raw mail has passed (raw_expired_at).
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    raw_expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    envelope_from: Mapped[str | None] = mapped_column(CITEXT)
    envelope_to: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, server_default="{}")
    received_via: Mapped[str] = mapped_column(String(16), nullable=False)
    # The listener's own DKIM/SPF verdict (an Authentication-Results value) when it was the edge;
    # kept beside the message, never in it, so no sender can write it.
    authentication: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="received", server_default="received")
    outcome: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    received_at: Mapped[datetime] = created_at_column()
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Filled in by processing: what the log shows without re-parsing the raw bytes.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    reason: Mapped[str | None] = mapped_column(String(64))
    sender_email: Mapped[str | None] = mapped_column(CITEXT)
    subject: Mapped[str | None] = mapped_column(Text)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    # Message-ID (or the SHA-256 when there is none) of a message that was acted on: unique,
    # so two copies processed at the same time cannot both create something.
    dedupe_key: Mapped[str | None] = mapped_column(Text, unique=True)

    __table_args__ = (
        Index("ix_inbound_emails_status_received_at", "status", "received_at"),
        Index("ix_inbound_emails_organization_id_received_at", "organization_id", "received_at"),
        enum_check("status", InboundEmailStatus),
    )


class SuppressedAddress(db.Model):
    """An address we must not email: it hard-bounced, or its owner asked us to stop."""

    __tablename__ = "suppressed_addresses"

    email: Mapped[str] = mapped_column(CITEXT, primary_key=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = created_at_column()


class InboundMessageStatus(enum.StrEnum):
    AWAITING_REVIEW = "awaiting_review"
    NEEDS_ATTENTION = "needs_attention"
    CLOSED = "closed"


class InboundMessage(db.Model):
    """An email a person must handle: the triage queue's row (Trackops' Inbound Message)."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    inbound_email_id: Mapped[int] = mapped_column(
        ForeignKey("inbound_emails.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    sender_email: Mapped[str] = mapped_column(CITEXT, nullable=False, default="", server_default="")
    sender_name: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    sender_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    subject: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")  # the new text only
    full_body: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")  # quotes included
    status: Mapped[str] = mapped_column(
        String(24), nullable=False, default=InboundMessageStatus.AWAITING_REVIEW.value,
        server_default=InboundMessageStatus.AWAITING_REVIEW.value,
    )
    reason: Mapped[str] = mapped_column(String(64), nullable=False)
    reason_text: Mapped[str] = mapped_column(Text, nullable=False)
    refused_attachments: Mapped[list[dict]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id", ondelete="SET NULL"))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    attachments: Mapped[list[InboundMessageAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="InboundMessageAttachment.id"
    )
    sender_user = relationship("User", foreign_keys=[sender_user_id])

    __table_args__ = (
        Index("ix_inbound_messages_org_status_created", "organization_id", "status", "created_at"),
        # The dashboard's unread count reads only this small index.
        Index("ix_inbound_messages_unread", "organization_id",
              postgresql_where=text("read_at IS NULL AND deleted_at IS NULL")),
        enum_check("status", InboundMessageStatus),
    )


class InboundMessageAttachment(StoredFile, db.Model):
    """A file that came with an Inbound Message, accepted by content and stored once."""

    __tablename__ = "inbound_message_attachments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    inbound_message_id: Mapped[int] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = created_at_column()

    message: Mapped[InboundMessage] = relationship(back_populates="attachments")
