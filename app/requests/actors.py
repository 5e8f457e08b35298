"""The request counters' fold as an actor (queue `default`), sent by `app/scheduler.py`.

No retries and an age limit, like the sweeps: the next tick folds whatever is there by then,
and an unfolded row is only a row more to sum, never a wrong total.
"""

from __future__ import annotations

import logging

import dramatiq

from app import broker as _broker  # noqa: F401  isort: skip
from app.requests import counts

log = logging.getLogger(__name__)

MINUTE_JOB_MAX_AGE_MS = 5 * 60 * 1000


@dramatiq.actor(queue_name="default", max_retries=0, max_age=MINUTE_JOB_MAX_AGE_MS)
def fold_request_counts() -> None:
    """Fold the delta rows of the request counters (app/requests/counts.py)."""
    removed = counts.fold_request_counts()
    if removed:
        log.debug("folded %d request count rows", removed)
