"""Event rows, written in the same transaction as the change they describe."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import created_at_column
from app.extensions import db


class Event(db.Model):
    """One thing that happened. `dispatched_at` is NULL until the fan-out has taken it."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    payload: Mapped[dict] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    created_at: Mapped[datetime] = created_at_column()
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The request id of the HTTP call (or message) that recorded it: log lines of its fan-out
    # and deliveries carry it (app/observability/).
    trace_id: Mapped[str | None] = mapped_column(String(128))
    # Set when an automation's action made this change: no automation triggers on it (no loops).
    automation_run_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("automation_runs.id", ondelete="SET NULL", use_alter=True))

    actor = relationship("User")

    __table_args__ = (
        Index("ix_events_request_id_created_at", "request_id", "created_at"),
        Index("ix_events_organization_id_created_at", "organization_id", "created_at"),
        # The relay scans only what is still waiting, so keep that index small.
        Index("ix_events_undispatched", "created_at", postgresql_where=text("dispatched_at IS NULL")),
    )
