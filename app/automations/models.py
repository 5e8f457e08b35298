"""Automation rules and the log of their runs."""

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
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import created_at_column, enum_check, updated_at_column
from app.extensions import db


class RunStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for due_at, or for another attempt (a worker died mid-run: nothing of it stayed)
    DONE = "done"
    SKIPPED = "skipped"  # the condition no longer held when it fell due
    FAILED = "failed"


class Automation(db.Model):
    """One rule: a trigger (event kind, narrowed by category, status and time since) and its actions.

    `actions` is a list of {"type": ..., ...} (app/automations/rules.py: ACTIONS says what each
    takes). The `critical` row (one per organization) is the followers notification the matrix
    does for every new message: listed so admins see and edit its message, never disabled.
    """

    __tablename__ = "automations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    trigger_kind: Mapped[str] = mapped_column(String(64), nullable=False)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("request_categories.id", ondelete="CASCADE"))
    # The request's status when the run falls due ("closed for 3 days": still closed then).
    status: Mapped[str | None] = mapped_column(String(16))
    delay_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    business_hours: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    actions: Mapped[list[dict]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default="true")
    critical: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        Index("ix_automations_organization_id", "organization_id"),
        # One critical automation per organization.
        Index("uq_automations_critical", "organization_id", unique=True, postgresql_where=text("critical")),
    )


class AutomationRun(db.Model):
    """One automation for one event: scheduled once (the unique key), performed once, in one
    transaction with the log of what it did (app/automations/engine.py)."""

    __tablename__ = "automation_runs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    automation_id: Mapped[int] = mapped_column(ForeignKey("automations.id", ondelete="CASCADE"), nullable=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=RunStatus.PENDING.value)
    ran_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What it did, in words, one line per action (or why it did nothing).
    log: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    error: Mapped[str | None] = mapped_column(Text)
    # Attempts begun (counted in their own small commit, so a worker killed mid-run still counts).
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        UniqueConstraint("automation_id", "event_id"),
        Index("ix_automation_runs_due", "due_at", postgresql_where=text("status = 'pending'")),
        Index("ix_automation_runs_automation_id_id", "automation_id", "id"),
        enum_check("status", RunStatus),
    )
