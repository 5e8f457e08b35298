"""Webhook delivery runs: claim due deliveries, sign, POST to the checked address, log each attempt.

A run claims rows (`sending` with a claim token, FOR UPDATE SKIP LOCKED) and commits, so
parallel runs never take the same row; each attempt is then committed on its own, so the
log survives a crash and a crashed run's rows go back to `pending` after the lease. A
failure (no answer, not 2xx, a refused address) is retried after WEBHOOK_RETRY_BASE, twice
that, four times that ... up to WEBHOOK_MAX_ATTEMPTS; 410 Gone stops at once.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import urllib3
from flask import current_app
from sqlalchemy import select, text
from standardwebhooks.webhooks import Webhook

from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.notify.webhooks import guard
from app.notify.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookStatus,
)
from app.notify.webhooks.payloads import encode, event_payload

log = logging.getLogger(__name__)

USER_AGENT = "civic311-webhooks/1"
EXCERPT_BYTES = 1024

CLAIM = text("""
UPDATE webhook_deliveries d SET status = 'sending', claim_token = :token, claimed_at = now()
WHERE d.id IN (SELECT id FROM webhook_deliveries
               WHERE status = 'pending' AND next_attempt_at <= now()
               ORDER BY next_attempt_at, id LIMIT :batch FOR UPDATE SKIP LOCKED)
RETURNING d.id
""")
RECOVER = text("""
UPDATE webhook_deliveries SET status = 'pending', claim_token = NULL
WHERE status = 'sending' AND claimed_at < now() - make_interval(secs => :lease)
""")


@dataclass
class RunStats:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    next_due_in: float | None = None  # seconds until the earliest retry this run scheduled


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    excerpt: str | None
    error: str | None
    duration_ms: int


def sign_headers(secret: str, delivery_id: int, body: str, now: datetime | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt (`webhook-id` stays across retries)."""
    now = now or datetime.now(UTC)
    msg_id = f"msg_{delivery_id}"
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, now, body)}


def post(target: guard.Target, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST to the address the guard checked (no second DNS lookup), TLS verified against the URL's host."""
    started = time.monotonic()
    default_port = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    headers = {**headers, "Host": host if target.port == default_port else f"{host}:{target.port}"}
    options = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(target.address, target.port, server_hostname=target.host,
                                           assert_hostname=target.host, cert_reqs="CERT_REQUIRED", **options)
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **options)
    try:
        response = pool.urlopen("POST", target.path, body=body, headers=headers, redirect=False,
                                preload_content=False)
        try:
            excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        finally:
            response.release_conn()
        return Answer(response.status, excerpt, None, _ms_since(started))
    except urllib3.exceptions.HTTPError as exc:
        return Answer(None, None, f"{type(exc).__name__}: {exc}", _ms_since(started))
    finally:
        pool.close()


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def send_due_webhooks(batch: int | None = None) -> RunStats:
    """Claim the due deliveries and try each once; what fails is rescheduled or given up."""
    config = current_app.config
    db.session.execute(RECOVER, {"lease": config["WEBHOOK_CLAIM_LEASE"]})
    token = str(uuid.uuid4())
    ids = list(db.session.scalars(CLAIM, {"token": token, "batch": batch or config["WEBHOOK_BATCH_SIZE"]}))
    db.session.commit()
    stats = RunStats(claimed=len(ids))
    payloads: dict[int, str] = {}  # one body per event, whatever the number of endpoints
    for delivery_id in ids:
        _attempt(delivery_id, token, payloads, stats)
    return stats


def _attempt(delivery_id: int, token: str, payloads: dict[int, str], stats: RunStats) -> None:
    config = current_app.config
    delivery = db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.claim_token == token).with_for_update())
    if delivery is None:  # the lease ran out and another run took it
        db.session.rollback()
        return
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    if not endpoint.enabled:
        delivery.status, delivery.claim_token = WebhookStatus.CANCELLED.value, None
        db.session.commit()
        stats.cancelled += 1
        return
    if delivery.event_id not in payloads:
        payloads[delivery.event_id] = encode(event_payload(db.session.get(Event, delivery.event_id)))
    body = payloads[delivery.event_id]
    db.session.commit()  # no lock is held across the network call
    try:
        target = guard.check(endpoint.url)
    except guard.Refused as exc:
        answer = Answer(None, None, f"refused: {exc}", 0)
    else:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   **sign_headers(endpoint.secret, delivery.id, body)}
        answer = post(target, body.encode(), headers, float(config["WEBHOOK_TIMEOUT"]))
    _record(delivery_id, token, answer, stats)


def _record(delivery_id: int, token: str, answer: Answer, stats: RunStats) -> None:
    config = current_app.config
    delivery = db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.claim_token == token).with_for_update())
    if delivery is None:
        db.session.rollback()
        return
    db.session.add(WebhookAttempt(delivery_id=delivery_id, status_code=answer.status_code, error=answer.error,
                                  duration_ms=answer.duration_ms, response_excerpt=answer.excerpt))
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = answer.status_code, answer.error
    delivery.claim_token = None
    ok = answer.status_code is not None and 200 <= answer.status_code < 300
    if ok:
        delivery.status, delivery.delivered_at = WebhookStatus.DELIVERED.value, utcnow()
        stats.delivered += 1
    elif answer.status_code == 410 or delivery.attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.status = WebhookStatus.FAILED.value  # 410: the receiver says it is gone for good
        stats.failed += 1
    else:
        wait = config["WEBHOOK_RETRY_BASE"] * 2 ** (delivery.attempts - 1)
        delivery.status, delivery.next_attempt_at = WebhookStatus.PENDING.value, utcnow() + timedelta(seconds=wait)
        stats.retrying += 1
        stats.next_due_in = wait if stats.next_due_in is None else min(stats.next_due_in, wait)
    db.session.commit()
    log.info("webhook delivery %s attempt %s: %s", delivery_id, delivery.attempts,
             answer.status_code or answer.error)
