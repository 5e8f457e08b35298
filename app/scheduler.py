"""The scheduler process: periodic sweeps as a list of definitions. Run: `python -m app.scheduler`.

Each job is an actor sent on an interval; the actors themselves are idempotent and
take database locks, so two schedulers (or a restart) never repeat a run's effects.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass

log = logging.getLogger("scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    actor_path: str  # "module:actor", imported lazily so this module stays light
    every_seconds: int


# Filled in by the notification, SLA and archive issues.
JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("sla-breaches", "app.work.actors:sweep_sla_breaches", every_seconds=60),
    PeriodicJob("overdue-work-orders", "app.work.actors:sweep_overdue_work_orders", every_seconds=60),
    PeriodicJob("archive-closed-requests", "app.work.actors:archive_closed_requests", every_seconds=3600),
    # Stored inbound mail whose enqueue was lost is sent to a worker again (nothing is lost).
    PeriodicJob("inbound-sweep", "app.inbound.actors:sweep_received_inbound_emails", every_seconds=60),
    # Notifications: the outbox relay, due emails (fallbacks, retries, stale claims), digests.
    PeriodicJob("notify-relay", "app.notify.actors:relay_undispatched_events", every_seconds=30),
    PeriodicJob("notify-email-sweep", "app.notify.actors:send_due_emails", every_seconds=15),
    # Automations: schedule runs for new events, perform the runs that are due (app/automations/).
    PeriodicJob("automations", "app.automations.actors:run_automations", every_seconds=60),
    PeriodicJob("notify-daily-digest", "app.notify.actors:send_daily_digests", every_seconds=900),
    PeriodicJob("webhook-sweep", "app.notify.webhooks.actors:deliver_webhooks", every_seconds=30),
    # Privacy: mail bodies, spam and delivery records kept no longer than each organization says.
    # The request counters' delta rows folded into one per key, so list totals sum a few rows.
    PeriodicJob("fold-request-counts", "app.requests.actors:fold_request_counts", every_seconds=60),
    PeriodicJob("retention-sweep", "app.privacy.actors:sweep_retention", every_seconds=3600),
)


def _resolve(path: str):
    module_name, _, attr = path.partition(":")
    module = __import__(module_name, fromlist=[attr])
    return getattr(module, attr)


def run_due_jobs(now: float, last_run: dict[str, float], jobs=JOBS) -> list[str]:
    """Send every job whose interval has passed; return the names sent."""
    sent = []
    for job in jobs:
        if job.name not in last_run or now - last_run[job.name] >= job.every_seconds:
            _resolve(job.actor_path).send()
            last_run[job.name] = now
            sent.append(job.name)
    return sent


def main() -> None:
    import app.worker  # noqa: F401  (broker and actors, as a worker sees them)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log.info("scheduler up with %d periodic jobs: %s", len(JOBS), ", ".join(j.name for j in JOBS) or "none yet")
    last_run: dict[str, float] = {}
    while not stop.is_set():
        try:
            run_due_jobs(time.monotonic(), last_run)
        except Exception:
            log.exception("could not send periodic jobs; trying again next tick")
        stop.wait(5)


if __name__ == "__main__":
    main()
