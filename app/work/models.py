"""Work orders (with or without a service request), SLA breaches and overdue alerts.

The breach and alert tables are the scheduler's memory: a unique key per (thing, deadline)
means a breach is recorded, and alerted, once, however many sweeps see it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import created_at_column, enum_check, updated_at_column
from app.extensions import db
from app.requests.models import ServiceRequest


class WorkOrderStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class WorkOrder(db.Model):
    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default=WorkOrderStatus.OPEN.value, server_default=WorkOrderStatus.OPEN.value
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    organization = relationship("Organization")
    request = relationship("ServiceRequest")
    assignee = relationship("User", foreign_keys=[assignee_id])

    __table_args__ = (
        Index("ix_work_orders_organization_id_status", "organization_id", "status"),
        # The overdue sweep reads only unfinished work orders with a due time.
        Index("ix_work_orders_due_at_unfinished", "due_at",
              postgresql_where=text("status IN ('open', 'in_progress') AND due_at IS NOT NULL")),
        enum_check("status", WorkOrderStatus),
    )


class SlaBreach(db.Model):
    """A request found past its SLA deadline; one row per (request, deadline)."""

    __tablename__ = "sla_breaches"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # The category whose SLA was missed, kept for compliance reports after a recategorization.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("request_categories.id", ondelete="SET NULL"))
    sla_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (UniqueConstraint("request_id", "sla_due_at"),)


class WorkOrderOverdueAlert(db.Model):
    """A work order found past its due time; one alert per (work order, due time)."""

    __tablename__ = "work_order_overdue_alerts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), nullable=False
    )
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (UniqueConstraint("work_order_id", "due_at"),)


# The SLA sweep reads only live requests that have a deadline; the index belongs to that
# sweep, so it is declared here, beside it, on the requests table.
Index(
    "ix_service_requests_sla_due_at_live",
    ServiceRequest.sla_due_at,
    postgresql_where=text("status IN ('open', 'acknowledged') AND sla_due_at IS NOT NULL"),
)
