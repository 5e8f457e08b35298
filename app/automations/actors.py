"""The automations sweep as an actor (queue `default`), sent every minute by app/scheduler.py."""

from __future__ import annotations

import logging

import dramatiq

from app import broker as _broker  # noqa: F401  isort: skip
from app.automations import engine
from app.db_types import utcnow

log = logging.getLogger(__name__)


# No retries and an age limit, like the other sweeps: the next tick does whatever is still due.
@dramatiq.actor(queue_name="default", max_retries=0, max_age=5 * 60 * 1000)
def run_automations() -> None:
    """Schedule the runs of new events and perform the runs due by now."""
    made, performed = engine.sweep(utcnow())
    if made or performed:
        log.info("automations: %d runs scheduled, %d performed", made, performed)
