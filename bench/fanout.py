"""Fan-out and email delivery, measured against floors taken in the same run.

Run: `.venv/bin/python bench/fanout.py [--quick]` (it creates and drops its own database,
`civic_bench_fanout`, and touches no other; its SMTP sink listens on a free port). It prints:

1. for one public comment on a request followed by 1, 100, 1,000 and 100,000 people: the SQL
   statements the fan-out sent (must not grow with the recipients), its time, and the ratio
   to the floor: plain INSERT ... SELECT statements writing the same rows into the same two
   tables (one per channel, no rules, no deduplication, no preferences). Goals: <= 1.5x at 2
   recipients (the fixed cost) and at 100,001;
2. the email delivery rate of the delivery run (claim, compose, send through Flask-Mail over
   one connection, record every reply) to an in-process aiosmtpd sink, against raw smtplib
   sending the same number of pre-built messages of the same size over one reused
   connection. Goal: >= 0.8x. Beside the rates, the CPU time of this process (client and sink) per
   message on each side: on a busy machine the rates also measure waits for other processes.
`--quick` stops at 1,001 recipients and sends 3 rounds of 300 messages. `--profile` prints where
the time goes (cProfile, cumulative): the fan-out at 2 recipients and the delivery runs.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import smtplib
import statistics
import sys
import time
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("SECRET_KEY", "bench-fanout")
os.environ["DRAMATIQ_BROKER"] = "stub"  # after-commit wake-ups go nowhere; the bench calls the functions itself

from aiosmtpd.controller import Controller  # noqa: E402
from flask import current_app  # noqa: E402
from sqlalchemy import text  # noqa: E402
from support.common import drop_database, goal, parser, recreate_database  # noqa: E402

from tests.support.smtp import free_port  # noqa: E402

SIZES = (1, 100, 1_000, 100_000)
REPEATS = {1: 31, 100: 15, 1_000: 9, 100_000: 3}
EMAILS = 1_000
ROUNDS = 5
DEFAULT_URL = "postgresql+psycopg:///civic_bench_fanout"


class CountingHandler:
    """The sink: accepts everything, keeps a count (the same cost for both sides of the ratio)."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def seed(db) -> dict[int, int]:
    """One organization, one category, 100,000 residents; one request per size with that many followers."""
    with db.engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO organizations (slug, name, timezone, sender_email, settings)
            VALUES ('bench', 'City of Bench', 'America/Chicago', 'bench-notices@inbound.localhost', '{}');
            INSERT INTO request_categories (organization_id, code, name, sla_hours, routing_emails,
                                            public_restriction, attributes, description, active)
            VALUES (1, 'pothole', 'Pothole', 48, '{}', 'none', '[]', '', true);
            INSERT INTO users (email, name, confirmed, active, is_superadmin)
            SELECT 'resident' || g || '@example.org', 'Resident ' || g, true, true, false
            FROM generate_series(1, 100001) g;
            -- Some of them chose things, a few bounced: the joins are real, not empty.
            INSERT INTO notification_preferences (user_id, email_frequency, muted)
            SELECT g, 'immediately', ARRAY['watch_areas:email'] FROM generate_series(2, 100001, 50) g;
            INSERT INTO suppressed_addresses (email, reason)
            SELECT 'resident' || g || '@example.org', 'bounce' FROM generate_series(3, 100001, 500) g;
        """))
        requests = {}
        for size in SIZES:
            request_id = conn.execute(text("""
                INSERT INTO service_requests (public_id, organization_id, category_id, reporter_id, location,
                                              address, description, answers, status, source)
                VALUES (:pid, 1, 1, 1, ST_SetSRID(ST_MakePoint(-89.65, 39.78), 4326), '1 Main St',
                        'A pothole', '{}', 'open', 'web') RETURNING id"""), {"pid": f"bench{size}"}).scalar()
            conn.execute(text("INSERT INTO followers (request_id, user_id) SELECT :r, g FROM generate_series(2, :n + 1) g"),
                         {"r": request_id, "n": size})
            requests[size] = request_id
        conn.execute(text("ANALYZE"))
    return requests


def new_event(db, request_id: int) -> tuple[int, dict]:
    """A public comment on the request (category 1, no actor), and the facts its message carries."""
    from app.events.models import Event
    from app.events.service import fanout_facts

    with db.engine.begin() as conn:
        event_id = conn.execute(text("""
            INSERT INTO events (kind, organization_id, request_id, actor_id, payload)
            VALUES ('request.comment_public', 1, :r, NULL, '{}') RETURNING id"""), {"r": request_id}).scalar()
    # What record_event puts in the event's message for the fan-out's actor (fan_out_event), made
    # in the recording process as there, so outside the timed part.
    event = Event(kind="request.comment_public", organization_id=1, request_id=request_id, actor_id=None, payload={})
    return event_id, fanout_facts(event, SimpleNamespace(category_id=1), None)


FLOOR_SQL = (
    text("""INSERT INTO notifications (event_id, user_id, organization_id, request_id, kind, audience, internal)
            SELECT :e, f.user_id, 1, :r, 'request.comment_public', 'followers', false
            FROM followers f WHERE f.request_id = :r"""),
    text("""INSERT INTO email_deliveries (event_id, organization_id, request_id, user_id, email, kind, audience,
                                          pref_group, internal, subscription, awaits_seen, status, send_after)
            SELECT :e, 1, :r, f.user_id, u.email, 'request.comment_public', 'followers', 'following', false, true,
                   false, 'pending', now()
            FROM followers f JOIN users u ON u.id = f.user_id WHERE f.request_id = :r"""),
)


def floor_once(db, request_id: int) -> float:
    event_id, _ = new_event(db, request_id)
    start = time.perf_counter()
    with db.engine.begin() as conn:
        for statement in FLOOR_SQL:
            conn.execute(statement, {"e": event_id, "r": request_id})
    return time.perf_counter() - start


def fanout_once(db, fan_out, request_id: int) -> tuple[float, int, dict]:
    event_id, facts = new_event(db, request_id)
    start = time.perf_counter()
    plan = fan_out(event_id, facts)
    elapsed = time.perf_counter() - start
    return elapsed, plan.statements, plan.counts


def print_profile(title: str, profiler: cProfile.Profile, top: int = 30) -> None:
    print(f"\n{title} (cProfile, cumulative, top {top}):")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def bench_fanout(db, sizes, profile: bool = False) -> list[str]:
    from app.notify.fanout import fan_out

    requests = seed(db)
    goals = []
    print("fan-out of one public comment (reporter, followers, assignee, watch areas):")
    print(f"{'recipients':>11} {'queries':>8} {'rows in-app/email':>18} {'fan-out ms':>11} {'floor ms':>9} {'ratio':>6}")
    for size in sizes:
        ours, floors, queries, counts = [], [], set(), {}
        fanout_once(db, fan_out, requests[size])  # warm caches and plans
        floor_once(db, requests[size])
        for _ in range(REPEATS[size]):
            floors.append(floor_once(db, requests[size]))
            elapsed, n_queries, counts = fanout_once(db, fan_out, requests[size])
            ours.append(elapsed)
            queries.add(n_queries)
        ours_ms, floor_ms = statistics.median(ours) * 1e3, statistics.median(floors) * 1e3
        rows = f"{counts.get('inapp')}/{counts.get('email')}"
        print(f"{size + 1:>11,} {'/'.join(map(str, sorted(queries))):>8} {rows:>18} {ours_ms:>11.2f} "
              f"{floor_ms:>9.2f} {ours_ms / floor_ms:>5.2f}x")
        if profile and size == 1:
            profiler = cProfile.Profile()
            for _ in range(200):
                event_id, facts = new_event(db, requests[size])
                profiler.enable()
                fan_out(event_id, facts)
                profiler.disable()
            print_profile("the fan-out at 2 recipients, 200 events", profiler)
        if size in (1, 100_000):
            goals.append(goal(f"fan-out at {size + 1:,} recipients {ours_ms / floor_ms:.2f}x its floor (goal <= 1.5x)",
                              ours_ms / floor_ms <= 1.5))
    return goals


def _pending_deliveries(db, fan_out, followers: range) -> None:
    """A fresh event whose email deliveries (one per follower) wait to be sent."""
    with db.engine.begin() as conn:
        request_id = conn.execute(text("""
            INSERT INTO service_requests (public_id, organization_id, category_id, reporter_id, location,
                                          address, description, answers, status, source)
            VALUES (:pid, 1, 1, 1, ST_SetSRID(ST_MakePoint(-89.65, 39.78), 4326), '1 Main St',
                    'A pothole', '{}', 'open', 'web') RETURNING id"""), {"pid": f"mail{followers.start}"}).scalar()
        conn.execute(text("INSERT INTO followers (request_id, user_id) SELECT :r, g FROM generate_series(CAST(:a AS int), CAST(:b AS int)) g"),
                     {"r": request_id, "a": followers.start, "b": followers.stop - 1})
    fan_out(*new_event(db, request_id))


def bench_delivery(db, port: int, handler: CountingHandler, emails: int, rounds: int,
                   profile: bool = False) -> list[str]:
    from app.notify.compose import compose_batch
    from app.notify.delivery import send_due_deliveries
    from app.notify.fanout import fan_out
    from app.notify.smtp import MailTransport

    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE email_deliveries, notifications CASCADE"))
        conn.execute(text("DELETE FROM suppressed_addresses"))
    # The floor's message: exactly what the pipeline composes for these deliveries.
    _pending_deliveries(db, fan_out, range(100_001, 100_002))
    with db.engine.begin() as conn:
        sample_ids = [r[0] for r in conn.execute(text("UPDATE email_deliveries SET status = 'sending' RETURNING id"))]
    sample = compose_batch(sample_ids)[0][0]
    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE email_deliveries CASCADE"))

    ours, floors, transports = [], [], []
    cpu: dict[str, list[float]] = {"ours": [], "floor": [], "transport": []}  # ms of this process per message
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for round_ in range(rounds):  # interleaved, so both sides see the same machine
            start, cpu_start = time.perf_counter(), time.process_time()
            for n in range(emails):
                smtp.sendmail(sample.sender, [f"floor{n}@example.org"], sample.data)
            floors.append(emails / (time.perf_counter() - start))
            cpu["floor"].append((time.process_time() - cpu_start) * 1e3 / emails)
            # The SMTP part alone: the run's Flask-Mail transport, the same pre-built bytes, no database.
            transport = MailTransport(current_app.config)
            start, cpu_start = time.perf_counter(), time.process_time()
            for n in range(emails):
                transport.send(sample.sender, f"transport{n}@example.org", sample.message_id, sample.data)
            transports.append(emails / (time.perf_counter() - start))
            cpu["transport"].append((time.process_time() - cpu_start) * 1e3 / emails)
            transport.close()
            first = 2 + round_ * emails  # fresh followers each round, from the 100,000
            _pending_deliveries(db, fan_out, range(first, first + emails - 1))  # + the reporter: `emails` mails
            before = handler.count
            start, cpu_start = time.perf_counter(), time.process_time()
            stats = send_due_deliveries(time_budget=600)
            ours.append(stats.sent / (time.perf_counter() - start))
            cpu["ours"].append((time.process_time() - cpu_start) * 1e3 / emails)
            assert stats.sent == emails == handler.count - before, (stats, handler.count - before)
        if profile:  # one more round, profiled, after the measured ones
            first = 2 + rounds * emails
            _pending_deliveries(db, fan_out, range(first, first + emails - 1))
            profiler = cProfile.Profile()
            profiler.enable()
            send_due_deliveries(time_budget=600)
            profiler.disable()
            print_profile(f"a delivery run of {emails:,} messages", profiler, 45)
    ratios = [o / f for o, f in zip(ours, floors, strict=True)]
    print(f"\nemail delivery of {emails:,} messages ({len(sample.data):,} bytes each) to an in-process aiosmtpd sink,"
          f" {rounds} interleaved rounds (median):")
    print(f"  delivery run (claim, compose, Flask-Mail, record each reply): {statistics.median(ours):8.0f} msg/s")
    print(f"  floor: raw smtplib, same bytes, one connection:                {statistics.median(floors):8.0f} msg/s")
    print(f"  (the SMTP part alone: Flask-Mail transport, same bytes, no DB: {statistics.median(transports):8.0f} msg/s)")
    print("  the ratio compares the whole run (claim, compose, send, record) with the floor's sending alone")
    # CPU time does not wait for other processes on a busy machine, where the rates above do: what
    # each side costs this process (client and in-process sink; not PostgreSQL's backend), median.
    print(f"  CPU of this process per message: delivery run {statistics.median(cpu['ours']):.3f} ms, floor "
          f"{statistics.median(cpu['floor']):.3f} ms, Flask-Mail transport {statistics.median(cpu['transport']):.3f} ms")
    print(f"  ratio per round: {', '.join(f'{r:.2f}' for r in ratios)}")
    ratio = statistics.median(ratios)
    return [goal(f"email delivery {ratio:.2f}x raw smtplib (goal >= 0.8x)", ratio >= 0.8)]


def main() -> None:
    parser_ = parser(__doc__, DEFAULT_URL)
    parser_.add_argument("--only", choices=("fanout", "delivery"), help="run one half")
    parser_.add_argument("--profile", action="store_true", help="print where the time goes (cProfile)")
    args = parser_.parse_args()
    url = args.database_url
    print(f"load average at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    recreate_database(url)
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    goals = []
    try:
        from flask_migrate import upgrade

        from app import create_app
        from app.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                          "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_USERNAME": None})
        import logging

        logging.getLogger().setLevel(logging.WARNING)
        with app.app_context():
            upgrade()
            logging.getLogger().setLevel(logging.WARNING)
            if args.only != "delivery":
                goals += bench_fanout(db, SIZES[:3] if args.quick else SIZES, args.profile)
            else:
                seed(db)
            if args.only != "fanout":
                goals += bench_delivery(db, port, handler, *((300, 3) if args.quick else (EMAILS, ROUNDS)),
                                        profile=args.profile)
            db.session.remove()
            db.engine.dispose()
    finally:
        controller.stop()
        drop_database(url)
    print(f"\ngoals (bench/fanout.py; load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}):")
    print("\n".join(goals))


if __name__ == "__main__":
    main()
