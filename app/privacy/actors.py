"""The retention sweep as an actor (queue `default`), sent by `app/scheduler.py`.

No retries and an age limit, like the other sweeps: the next tick is the retry, and it
sweeps everything due by then (app/privacy/retention.py).
"""

from __future__ import annotations

import logging

import dramatiq

from app import broker as _broker  # noqa: F401  isort: skip
from app.db_types import utcnow
from app.privacy import retention

log = logging.getLogger(__name__)

HOURLY_SWEEP_MAX_AGE_MS = 3 * 60 * 60 * 1000


@dramatiq.actor(queue_name="default", max_retries=0, max_age=HOURLY_SWEEP_MAX_AGE_MS)
def sweep_retention() -> None:
    """Expire mail bodies and delete spam and delivery records past each organization's period."""
    stats = retention.sweep(utcnow())
    if stats:
        log.info("retention: %d outgoing bodies and %d raw inbound messages expired, %d spam messages and "
                 "%d delivery records deleted", stats.bodies_expired, stats.raw_expired, stats.spam_deleted,
                 stats.deliveries_deleted)
