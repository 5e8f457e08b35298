"""Notification tables: what each person was told, on which channel, and their settings."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, CITEXT, UUID
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.db_types import created_at_column, enum_check, updated_at_column, utcnow
from app.extensions import db


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # due at send_after
    HELD = "held"  # waiting for the recipient's daily digest
    SENDING = "sending"  # claimed by a delivery run (claim_token)
    SENT = "sent"
    FAILED = "failed"  # 5xx, too many 4xx, or no address
    SUPPRESSED = "suppressed"  # bounced or unsubscribed address: never sent
    SKIPPED = "skipped"  # seen in the app before the fallback delay
    DIGESTED = "digested"  # listed in the digest delivery `digest_id`


class EmailFrequency(enum.StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    NEVER = "never"


class Notification(db.Model):
    """One in-app notification: (event, user) is unique, so a redelivered fan-out adds nothing."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    audience: Mapped[str] = mapped_column(String(40), nullable=False)
    internal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    created_at: Mapped[datetime] = created_at_column()
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_notifications_user_id_id", "user_id", "id"),
        Index("ix_notifications_unseen", "user_id", postgresql_where=text("seen_at IS NULL")),
    )


class EmailDelivery(db.Model):
    """One email to one address for one event (or one daily digest), and what the server said.

    (event_id, email) is unique: one mail per address per event however many audiences hold
    it. A delivery run claims rows (status `sending`, claim_token), commits `handed_off_at`
    just before the final "." of DATA, and records the reply; see app/notify/delivery.py.
    """

    __tablename__ = "email_deliveries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(CITEXT, nullable=False)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)  # the event kind, or "digest"
    audience: Mapped[str] = mapped_column(String(40), nullable=False)
    pref_group: Mapped[str] = mapped_column(String(40), nullable=False)
    internal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    subscription: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    awaits_seen: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    smtp_reply: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    send_after: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, server_default=text("now()"))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim_token: Mapped[str | None] = mapped_column(UUID(as_uuid=False))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    digest_date: Mapped[date | None] = mapped_column(Date)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("email_deliveries.id", ondelete="SET NULL"))

    # The composed message, while retention keeps it (loaded with the log's rows, bytes deferred).
    stored_body: Mapped[EmailBody | None] = relationship("EmailBody", uselist=False, lazy="selectin", viewonly=True)

    @property
    def body(self) -> str:
        """ "kept", "body expired" (past the organization's retention) or "not stored" (never composed)."""
        return self.stored_body.state if self.stored_body is not None else "not stored"

    __table_args__ = (
        UniqueConstraint("event_id", "email"),
        UniqueConstraint("user_id", "digest_date"),
        Index("ix_email_deliveries_due", "send_after", "id", postgresql_where=text("status = 'pending'")),
        Index("ix_email_deliveries_sending", "claimed_at", postgresql_where=text("status = 'sending'")),
        Index("ix_email_deliveries_held", "user_id", postgresql_where=text("status = 'held'")),
        Index("ix_email_deliveries_user_id_id", "user_id", "id"),
        Index("ix_email_deliveries_organization_id_id", "organization_id", "id"),
        Index("ix_email_deliveries_digest_id", "digest_id"),
        enum_check("status", DeliveryStatus),
    )


class NotificationPreference(db.Model):
    """A user's choices; no row means the defaults (every group on, email immediately)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_frequency: Mapped[str] = mapped_column(
        String(16), nullable=False, default=EmailFrequency.IMMEDIATELY.value,
        server_default=EmailFrequency.IMMEDIATELY.value)
    # "group:channel" pairs turned off, e.g. {"following:email"}: one probe answers every group.
    muted: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, server_default="{}")
    # OneDesk's ping: a sound and a browser notification when a new in-app notification arrives.
    in_app_alert: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (enum_check("email_frequency", EmailFrequency),)


class CategoryNotificationRule(db.Model):
    """An organization admin's override of one matrix cell for one category."""

    __tablename__ = "category_notification_rules"

    category_id: Mapped[int] = mapped_column(
        ForeignKey("request_categories.id", ondelete="CASCADE"), primary_key=True)
    event_kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    audience: Mapped[str] = mapped_column(String(40), primary_key=True)
    channels: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)


class OrganizationNotificationSettings(db.Model):
    """The organization's switches per notification type and its inbound-notice addresses."""

    __tablename__ = "organization_notification_settings"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    disabled_kinds: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list,
                                                      server_default="{}")
    inbound_notice_to: Mapped[str | None] = mapped_column(CITEXT)
    inbound_notice_cc: Mapped[str | None] = mapped_column(CITEXT)
    updated_at: Mapped[datetime] = updated_at_column()


class EmailTemplate(db.Model):
    """An organization's own subject and bodies for one event kind in one language (NULL: the default)."""

    __tablename__ = "email_templates"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    event_kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The language the override is written in (one override per kind per language).
    locale: Mapped[str] = mapped_column(String(16), primary_key=True, default="en", server_default="en")
    # Set for an organization's own templates ("custom.<key>", used by automations).
    name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(Text)
    text_body: Mapped[str | None] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = updated_at_column()


class EmailBody(db.Model):
    """The message we composed for a delivery, byte for byte, kept for the retention period.

    Written when a run composes the delivery (the last attempt's copy wins). The retention
    sweep (app/privacy/retention.py) sets `message` to NULL and `expired_at`, so the log can
    say "body expired" instead of failing; deleting the delivery takes the body with it.
    """

    __tablename__ = "email_bodies"

    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("email_deliveries.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # Deferred: the email log asks only whether it is kept (`kept`), never for the bytes.
    message: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    stored_at: Mapped[datetime] = created_at_column()
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kept: Mapped[bool] = column_property(message.is_not(None))

    @property
    def state(self) -> str:
        """What the email log says: "kept" or "body expired"."""
        return "kept" if self.kept else "body expired"

    __table_args__ = (
        # The sweep reads only bodies still kept, oldest first.
        Index("ix_email_bodies_kept", "stored_at", postgresql_where=text("message IS NOT NULL")),
    )
