"""Notification actors."""

from __future__ import annotations

import logging

import dramatiq

from app import broker as _broker  # noqa: F401

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="fanout", max_retries=10)
def fan_out_event(event_id: int) -> None:
    """Resolve the event's recipients and record their notifications (the matrix lands in issue 4)."""
    log.info("event %s committed; the notification matrix is not built yet", event_id)
