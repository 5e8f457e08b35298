"""Webhook tables: the endpoints an organization registered, one delivery per (endpoint, event), its attempts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import created_at_column, enum_check, updated_at_column, utcnow
from app.extensions import db


class WebhookStatus(enum.StrEnum):
    PENDING = "pending"  # due at next_attempt_at (first try, or a retry after a failure)
    SENDING = "sending"  # claimed by a run (claim_token) until claimed_at + lease
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # every attempt failed, or the endpoint refused (SSRF guard, 410 Gone)
    CANCELLED = "cancelled"  # the endpoint was disabled before it went


class WebhookEndpoint(db.Model):
    """An HTTPS address of an organization's other system and the event kinds it wants."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    event_kinds: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    # Standard Webhooks secret, "whsec_" + base64: the receiver needs it to verify, so it is kept.
    secret: Mapped[str] = mapped_column(Text, nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default="true")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class WebhookDelivery(db.Model):
    """One event for one endpoint. Its id is the `webhook-id` header: the same on every retry."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=WebhookStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, server_default=text("now()"))
    claim_token: Mapped[str | None] = mapped_column(UUID(as_uuid=False))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    attempt_log = relationship("WebhookAttempt", order_by="WebhookAttempt.id", lazy="selectin")

    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_due", "next_attempt_at", "id", postgresql_where=text("status = 'pending'")),
        Index("ix_webhook_deliveries_sending", "claimed_at", postgresql_where=text("status = 'sending'")),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
        enum_check("status", WebhookStatus),
    )


class WebhookAttempt(db.Model):
    """One HTTP try of a delivery: what the receiver answered (or why nothing was sent)."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False, index=True)
    attempted_at: Mapped[datetime] = created_at_column()
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
