"""The scheduler's periodic sweeps as actors (queue `default`), sent by `app/scheduler.py`.

No retries: a failed sweep rolls back whole, and the next tick (a minute, or an hour for
archiving) sweeps everything still due, the failed run's share included. For the same
reason a sweep message that waited longer than a few intervals (workers were down) is
dropped by Dramatiq's age limit: a newer message does the same work.
"""

from __future__ import annotations

import logging

import dramatiq

from app import broker as _broker  # noqa: F401  isort: skip
from app.db_types import utcnow
from app.work import sweeps

log = logging.getLogger(__name__)


MINUTE_SWEEP_MAX_AGE_MS = 5 * 60 * 1000
HOURLY_SWEEP_MAX_AGE_MS = 3 * 60 * 60 * 1000


@dramatiq.actor(queue_name="default", max_retries=0, max_age=MINUTE_SWEEP_MAX_AGE_MS)
def sweep_sla_breaches() -> None:
    """Record and announce every SLA breach due by now that no sweep has recorded yet."""
    count = sweeps.detect_sla_breaches(utcnow())
    if count:
        log.info("recorded %d SLA breaches", count)


@dramatiq.actor(queue_name="default", max_retries=0, max_age=MINUTE_SWEEP_MAX_AGE_MS)
def sweep_overdue_work_orders() -> None:
    """Alert the assignees of work orders that went past their due time since the last sweep."""
    count = sweeps.alert_overdue_work_orders(utcnow())
    if count:
        log.info("alerted %d overdue work orders", count)


@dramatiq.actor(queue_name="default", max_retries=0, max_age=HOURLY_SWEEP_MAX_AGE_MS)
def archive_closed_requests() -> None:
    """Archive requests that have been closed for a week."""
    count = sweeps.archive_closed_requests(utcnow())
    if count:
        log.info("archived %d closed requests", count)
