"""Retention policies (one row per organization) and the audit trail of access to personal data."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import created_at_column, enum_check, updated_at_column
from app.extensions import db
from app.inbound.models import InboundEmail
from app.notify.models import EmailDelivery


class PhotoPolicy(enum.StrEnum):
    """What becomes of a deleted resident's photos on requests the organization keeps."""

    KEEP = "keep"
    REMOVE = "remove"


class RetentionPolicy(db.Model):
    """How long an organization keeps mail and delivery records; no row means the defaults.

    The defaults live in app/privacy/retention.py (DEFAULTS), beside the sweep that applies them.
    """

    __tablename__ = "retention_policies"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    raw_inbound_days: Mapped[int] = mapped_column(Integer, nullable=False)
    outgoing_body_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    spam_days: Mapped[int] = mapped_column(Integer, nullable=False)
    delivery_record_days: Mapped[int] = mapped_column(Integer, nullable=False)
    photos_on_account_deletion: Mapped[str] = mapped_column(
        String(16), nullable=False, default=PhotoPolicy.KEEP.value, server_default=PhotoPolicy.KEEP.value)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (enum_check("photos_on_account_deletion", PhotoPolicy),)


class AuditAction(enum.StrEnum):
    CONTACT_VIEWED = "contact_viewed"  # a staff member saw a resident's email or phone
    DATA_EXPORTED = "data_exported"  # a resident downloaded their data
    ACCOUNT_DELETED = "account_deleted"  # a resident deleted their account


class AuditEntry(db.Model):
    """One access to a resident's personal data, for the organization's administrators to read.

    `subject_user_id` is the resident; after a deletion it names the anonymous remains of the
    account, never an address or a name.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # NULL for an export or deletion by a resident with no ties to any organization.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id", ondelete="SET NULL"))
    where: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    details: Mapped[dict] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    created_at: Mapped[datetime] = created_at_column()

    actor = relationship("User", foreign_keys=[actor_id])
    subject = relationship("User", foreign_keys=[subject_user_id])

    __table_args__ = (
        Index("ix_audit_entries_organization_id_id", "organization_id", "id"),
        Index("ix_audit_entries_subject_user_id", "subject_user_id"),
        enum_check("action", AuditAction),
    )


# The retention sweep's indexes, declared here beside the sweep that needs them (as
# app/work/models.py does for the SLA sweep): it reads only what is still kept, oldest first.
Index("ix_inbound_emails_raw_kept", InboundEmail.received_at, postgresql_where=text("raw IS NOT NULL"))
Index("ix_email_deliveries_created_at", EmailDelivery.created_at)
