"""The metrics: what processes count as they work, and what a scrape reads from Redis and the database.

Counted in-process (multiprocess-safe: with PROMETHEUS_MULTIPROC_DIR set, as `make run` does,
every gunicorn worker and the Dramatiq worker write their own files and a scrape sums them):
HTTP requests and latencies per endpoint, fan-out sizes per channel.

Read at scrape time, so every process (and every deployment shape) tells the same truth:
queue depths and the age of the oldest message per Dramatiq queue (Redis), email and webhook
deliveries by status, inbound mail by outcome, SLA breaches recorded and live requests past
their SLA (PostgreSQL). Nothing is summed in memory, so nothing is lost when a process dies.
"""

from __future__ import annotations

import json
import logging
import os
import time

import dramatiq

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # multiprocess mode writes there from the first sample
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import text

log = logging.getLogger(__name__)

HTTP_REQUESTS = Counter("civic_http_requests_total", "HTTP requests answered, by endpoint (route) and status.",
                        ["method", "endpoint", "status"])
HTTP_LATENCY = Histogram("civic_http_request_duration_seconds", "Time to answer an HTTP request, by endpoint.",
                         ["method", "endpoint"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
FANOUT_RECIPIENTS = Histogram("civic_fanout_recipients", "Notifications one event's fan-out wrote, per channel.",
                              ["channel"], buckets=(0, 1, 2, 5, 10, 25, 100, 1000, 10_000, 100_000, 1_000_000))

COUNTS_BY_STATUS = {
    "civic_email_deliveries": ("Email deliveries by status.", "SELECT status, count(*) FROM email_deliveries GROUP BY status"),
    "civic_webhook_deliveries": ("Webhook deliveries by status.",
                                 "SELECT status, count(*) FROM webhook_deliveries GROUP BY status"),
    "civic_inbound_emails": ("Inbound emails by outcome (status).",
                             "SELECT status, count(*) FROM inbound_emails GROUP BY status"),
}


def observe_fanout(counts: dict[str, int]) -> None:
    for channel, inserted in counts.items():
        FANOUT_RECIPIENTS.labels(channel).observe(inserted)


class ScrapeTimeCollector(Collector):
    """Gauges computed when Prometheus asks: queues from the broker, deliveries and breaches from SQL."""

    def __init__(self, app) -> None:
        self.app = app

    def collect(self):
        yield from self._queues()
        try:
            yield from self._database()
        except Exception:  # a scrape must answer even when the database does not
            log.exception("metrics: the database could not be read")

    def _queues(self):
        depth = GaugeMetricFamily("civic_queue_messages", "Messages waiting per Dramatiq queue (delayed ones apart).",
                                  labels=["queue", "kind"])
        age = GaugeMetricFamily("civic_queue_oldest_message_age_seconds",
                                "Age of the oldest message waiting in each Dramatiq queue (0 when empty).",
                                labels=["queue"])
        broker = dramatiq.get_broker()
        now_ms = time.time() * 1000
        for queue in sorted(q for q in broker.get_declared_queues() if not q.endswith((".DQ", ".XQ"))):
            waiting, delayed, oldest_ms = _queue_state(broker, queue)
            depth.add_metric([queue, "ready"], waiting)
            depth.add_metric([queue, "delayed"], delayed)
            age.add_metric([queue], max(0.0, (now_ms - oldest_ms) / 1000) if oldest_ms else 0.0)
        yield depth
        yield age

    def _database(self):
        from app.extensions import db

        with self.app.app_context():
            try:
                for name, (documentation, sql) in COUNTS_BY_STATUS.items():
                    family = GaugeMetricFamily(name, documentation, labels=["status"])
                    for status, count in db.session.execute(text(sql)):
                        family.add_metric([status], count)
                    yield family
                breaches, live = db.session.execute(text(
                    "SELECT (SELECT count(*) FROM sla_breaches), (SELECT count(*) FROM service_requests "
                    "WHERE status IN ('open', 'acknowledged') AND sla_due_at < now())")).one()
                yield GaugeMetricFamily("civic_sla_breaches", "SLA breaches recorded (one per request and deadline).",
                                        value=breaches)
                yield GaugeMetricFamily("civic_requests_past_sla", "Live requests past their SLA deadline now.",
                                        value=live)
            finally:
                db.session.rollback()
                db.session.remove()


def _queue_state(broker, queue: str) -> tuple[int, int, float | None]:
    """Ready messages, delayed messages and the oldest ready message's timestamp (ms) of one queue."""
    client = getattr(broker, "client", None)
    if client is None:  # the StubBroker of unit tests keeps Python queues
        ready = broker.queues.get(queue)
        delayed = broker.queues.get(f"{queue}.DQ")
        return (ready.qsize() if ready else 0), (delayed.qsize() if delayed else 0), None
    key = f"{broker.namespace}:{queue}"
    pipe = client.pipeline()
    pipe.llen(key)
    pipe.llen(f"{key}.DQ")
    pipe.lindex(key, 0)  # messages are RPUSHed and LPOPed: the head is the oldest
    ready, delayed, head = pipe.execute()
    oldest = None
    if head is not None:
        encoded = client.hget(f"{key}.msgs", head)
        if encoded:
            try:
                oldest = float(json.loads(encoded)["message_timestamp"])
            except (ValueError, KeyError, TypeError):
                oldest = None
    return int(ready), int(delayed), oldest


def exposition(app) -> bytes:
    """The Prometheus text of this deployment: every process's counters and the scrape-time gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for collector in (HTTP_REQUESTS, HTTP_LATENCY, FANOUT_RECIPIENTS):
            registry.register(collector)
    registry.register(ScrapeTimeCollector(app))
    return generate_latest(registry)

