"""Fan-out and email delivery, measured against floors taken in the same run.

Run: `.venv/bin/python bench/fanout.py` (it creates and drops its own database,
`civic_bench_fanout`, and touches no other). It prints:

1. for one public comment on a request followed by 1, 100, 1,000 and 100,000 people: the SQL
   statements the fan-out ran (must not grow with the recipients), its time, and the ratio
   to the floor: plain INSERT ... SELECT statements writing the same rows into the same two
   tables (one per channel, no rules, no deduplication, no preferences). Goal: <= 1.5x;
2. the email delivery rate of the delivery run (claim, compose, send over one SMTP connection,
   record every reply) to an in-process aiosmtpd sink, against raw smtplib sending the same
   number of pre-built messages of the same size over one reused connection. Goal: >= 0.8x.
"""

from __future__ import annotations

import os
import smtplib
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("SECRET_KEY", "bench-fanout")
os.environ["DRAMATIQ_BROKER"] = "stub"  # after-commit wake-ups go nowhere; the bench calls the functions itself

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.support.smtp import free_port  # noqa: E402

SIZES = (1, 100, 1_000, 100_000)
REPEATS = {1: 15, 100: 15, 1_000: 9, 100_000: 3}
EMAILS = 1_000
ROUNDS = 5
BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg:///civic_bench_fanout")


class CountingHandler:
    """The sink: accepts everything, keeps a count (the same cost for both sides of the ratio)."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def _admin_engine():
    return create_engine(make_url(BASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def recreate_database() -> None:
    with _admin_engine().connect() as conn:
        name = make_url(BASE_URL).database
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))


def drop_database() -> None:
    with _admin_engine().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(BASE_URL).database}" WITH (FORCE)'))


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


def new_event(db, request_id: int) -> int:
    with db.engine.begin() as conn:
        return conn.execute(text("""
            INSERT INTO events (kind, organization_id, request_id, actor_id, payload)
            VALUES ('request.comment_public', 1, :r, NULL, '{}') RETURNING id"""), {"r": request_id}).scalar()


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
    event_id = new_event(db, request_id)
    start = time.perf_counter()
    with db.engine.begin() as conn:
        for statement in FLOOR_SQL:
            conn.execute(statement, {"e": event_id, "r": request_id})
    return time.perf_counter() - start


def fanout_once(db, fan_out, request_id: int) -> tuple[float, int, dict]:
    event_id = new_event(db, request_id)
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        start = time.perf_counter()
        plan = fan_out(event_id)
        elapsed = time.perf_counter() - start
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return elapsed, len(statements), plan.counts


def bench_fanout(db) -> None:
    from app.notify.fanout import fan_out

    requests = seed(db)
    print("fan-out of one public comment (reporter, followers, assignee, watch areas):")
    print(f"{'recipients':>11} {'queries':>8} {'rows in-app/email':>18} {'fan-out ms':>11} {'floor ms':>9} {'ratio':>6}")
    for size in SIZES:
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
    fan_out(new_event(db, request_id))


def bench_delivery(db, port: int, handler: CountingHandler) -> None:
    from app.notify.compose import compose_batch
    from app.notify.delivery import send_due_deliveries
    from app.notify.fanout import fan_out

    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE email_deliveries, notifications"))
        conn.execute(text("DELETE FROM suppressed_addresses"))
    # The floor's message: exactly what the pipeline composes for these deliveries.
    _pending_deliveries(db, fan_out, range(90_000, 90_001))
    with db.engine.begin() as conn:
        sample_ids = [r[0] for r in conn.execute(text("UPDATE email_deliveries SET status = 'sending' RETURNING id"))]
    sample = compose_batch(sample_ids)[0][0]
    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE email_deliveries"))

    ours, floors = [], []
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for round_ in range(ROUNDS):  # interleaved, so both sides see the same machine
            start = time.perf_counter()
            for n in range(EMAILS):
                smtp.sendmail(sample.sender, [f"floor{n}@example.org"], sample.data)
            floors.append(EMAILS / (time.perf_counter() - start))
            first = 2 + round_ * EMAILS  # fresh followers each round: 5 x 1,000 of the 100,000
            _pending_deliveries(db, fan_out, range(first, first + EMAILS - 1))  # + the reporter: EMAILS mails
            before = handler.count
            start = time.perf_counter()
            stats = send_due_deliveries(time_budget=600)
            ours.append(stats.sent / (time.perf_counter() - start))
            assert stats.sent == EMAILS == handler.count - before, (stats, handler.count - before)
    ratios = [o / f for o, f in zip(ours, floors, strict=True)]
    print(f"\nemail delivery of {EMAILS:,} messages ({len(sample.data):,} bytes each) to an in-process aiosmtpd sink,"
          f" {ROUNDS} interleaved rounds (median):")
    print(f"  delivery run (claim, compose, send, record each reply): {statistics.median(ours):8.0f} msg/s")
    print(f"  floor: raw smtplib, same bytes, one connection:          {statistics.median(floors):8.0f} msg/s")
    print(f"  ratio per round: {', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f}x"
          " (goal >= 0.8x)")


def main() -> None:
    recreate_database()
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        from flask_migrate import upgrade

        from app import create_app
        from app.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": BASE_URL, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                          "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_USERNAME": None})
        import logging

        logging.getLogger().setLevel(logging.WARNING)
        with app.app_context():
            upgrade()
            logging.getLogger().setLevel(logging.WARNING)
            bench_fanout(db)
            bench_delivery(db, port, handler)
            db.session.remove()
            db.engine.dispose()
    finally:
        controller.stop()
        drop_database()


if __name__ == "__main__":
    main()
