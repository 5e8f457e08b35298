"""Raw inbound mail, stored before anything else happens to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, CITEXT
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import created_at_column
from app.extensions import db


class InboundEmail(db.Model):
    """One received message, byte for byte, and what became of it."""

    __tablename__ = "inbound_emails"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[str | None] = mapped_column(Text, index=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    raw: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    envelope_from: Mapped[str | None] = mapped_column(CITEXT)
    envelope_to: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, server_default="{}")
    received_via: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="received", server_default="received")
    outcome: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    received_at: Mapped[datetime] = created_at_column()
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_inbound_emails_status_received_at", "status", "received_at"),)


class SuppressedAddress(db.Model):
    """An address we must not email: it hard-bounced, or its owner asked us to stop."""

    __tablename__ = "suppressed_addresses"

    email: Mapped[str] = mapped_column(CITEXT, primary_key=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
