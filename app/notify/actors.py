"""Notification actors: the fan-out, the email delivery runs, and the periodic sweeps."""

from __future__ import annotations

import logging
from datetime import timedelta

import dramatiq
from flask import current_app
from sqlalchemy import select

from app import broker as _broker  # noqa: F401
from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db

log = logging.getLogger(__name__)

RELAY_BATCH = 1000


@dramatiq.actor(queue_name="fanout", max_retries=10)
def fan_out_event(event_id: int, facts: dict | None = None) -> None:
    """Resolve the event's recipients and record their notifications; idempotent.

    `facts` (app/events/service.py: fanout_facts) let the fan-out send everything at once;
    messages without them (the relay's, and those queued before they were added) are read as before.
    """
    from app.notify.fanout import fan_out
    from app.observability.metrics import observe_fanout

    plan = fan_out(event_id, facts)
    if plan is not None:
        observe_fanout(plan.counts)
        log.info("event %s (%s) fanned out: %s", event_id, plan.ctx.kind, plan.counts,
                 extra={"event_id": event_id, "kind": plan.ctx.kind, "counts": plan.counts})


@dramatiq.actor(queue_name="email", max_retries=3, time_limit=120_000)
def send_due_emails() -> None:
    """Send every due email delivery over one SMTP connection; another run picks up what is left."""
    from app.notify.delivery import send_due_deliveries

    stats = send_due_deliveries(time_budget=50.0)
    if stats.claimed or stats.recovered:
        log.info("email run: %s", stats)
    if not stats.drained:
        send_due_emails.send()  # the time budget ran out with more due: go on in a fresh message


@dramatiq.actor(queue_name="fanout", max_retries=0)
def relay_undispatched_events() -> None:
    """Re-send events the fan-out has not taken within EVENT_RELAY_AFTER (a lost enqueue loses nothing)."""
    older_than = utcnow() - timedelta(seconds=current_app.config["EVENT_RELAY_AFTER"])
    event_ids = list(db.session.scalars(
        select(Event.id).where(Event.dispatched_at.is_(None), Event.created_at <= older_than)
        .order_by(Event.id).limit(RELAY_BATCH)))
    db.session.rollback()
    for event_id in event_ids:
        fan_out_event.send(event_id)
    if event_ids:
        log.info("relayed %d undispatched events", len(event_ids))


@dramatiq.actor(queue_name="email", max_retries=3)
def send_daily_digests() -> None:
    """Make today's digests (idempotent per user per day) and send them."""
    from app.notify.digest import make_daily_digests

    if make_daily_digests():
        send_due_emails.send()
