"""Inbound email actors."""

from __future__ import annotations

import logging

import dramatiq

from app import broker as _broker  # noqa: F401

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="inbound", max_retries=5)
def process_inbound_email(inbound_email_id: int) -> None:
    """Route one stored message. Until routing lands, it stays stored, status `received`."""
    log.info("inbound email %s stored; routing is not built yet, it stays in the queue", inbound_email_id)
