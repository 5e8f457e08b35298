"""Inbound email actors: process one stored message, and sweep up any left behind."""

from __future__ import annotations

import logging
from datetime import timedelta

import dramatiq
from flask import current_app
from sqlalchemy import select

from app import broker as _broker  # noqa: F401
from app.db_types import utcnow
from app.extensions import db
from app.inbound.models import InboundEmail, InboundEmailStatus

log = logging.getLogger(__name__)

SWEEP_BATCH = 500


@dramatiq.actor(queue_name="inbound", max_retries=5, min_backoff=1000, max_backoff=60_000)
def process_inbound_email(inbound_email_id: int) -> None:
    """Route one stored message; idempotent (a processed row is left alone)."""
    from app.inbound.processing import process_stored_email

    process_stored_email(inbound_email_id)


def received_too_long(older_than_seconds: int, limit: int = SWEEP_BATCH) -> list[int]:
    """Ids of stored emails still waiting after `older_than_seconds`, oldest first."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    return list(db.session.scalars(
        select(InboundEmail.id).where(InboundEmail.status == InboundEmailStatus.RECEIVED.value,
                                      InboundEmail.received_at < cutoff)
        .order_by(InboundEmail.received_at).limit(limit)
    ))


@dramatiq.actor(queue_name="inbound", max_retries=0)
def sweep_received_inbound_emails() -> None:
    """Re-send stored emails still `received` after a minute: an enqueue that failed costs a minute."""
    waiting = received_too_long(current_app.config["INBOUND_SWEEP_AFTER"])
    for inbound_email_id in waiting:
        process_inbound_email.send(inbound_email_id)
    if waiting:
        log.warning("inbound sweep re-sent %d stored emails", len(waiting))
