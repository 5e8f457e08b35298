"""The `webhooks` queue: delivery runs of their own, so a slow or failing receiver never holds up email."""

from __future__ import annotations

import logging

import dramatiq

from app import broker as _broker  # noqa: F401

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="webhooks", max_retries=3)
def deliver_webhooks() -> None:
    """Try every due webhook delivery once; schedule the next run for the earliest retry."""
    from flask import current_app

    from app.notify.webhooks.sender import send_due_webhooks

    stats = send_due_webhooks()
    if stats.claimed:
        log.info("webhook run: %s", stats)
    if stats.claimed >= current_app.config["WEBHOOK_BATCH_SIZE"]:
        deliver_webhooks.send()  # more may be due: go on in a fresh message
    if stats.next_due_in is not None:
        # The scheduler's sweep would find the retry too; this makes it come on time.
        deliver_webhooks.send_with_options(delay=int(stats.next_due_in * 1000) + 200)
