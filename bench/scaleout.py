"""Scale out: email delivery throughput with 1, 2 and 4 Dramatiq worker processes on the same backlog.

Run: `.venv/bin/python bench/scaleout.py [--quick]` (its own database `civic_bench_scaleout`, Redis
database 7 under its own namespace, an SMTP sink in this process on a free port). For each
round, a backlog of B email deliveries (one public comment on a request followed by B people,
fanned out by the product's own fan-out) waits while N `dramatiq app.worker --processes 1
--threads 8` processes start, each as one container of `docker compose up --scale worker=N`
would; once all N consume, 32 delivery runs (`send_due_emails`) are enqueued at once and the
clock runs until the sink holds all B. EMAIL_BATCH_SIZE is 25 so the backlog splits into enough
claims for 32 threads, and into rounds of claims that each worker count can share evenly: it was
50, and the quick backlog's 24 claims took 8 threads three rounds but 16 threads two, the second
with half of them idle, so 2 workers could never be more than 1.5x 1 worker (48 claims: 6 rounds
and 3). Every round checks that each delivery arrived exactly once at the sink
and that the database holds exactly one `sent` row for each.

The sink answers each message after a fixed latency: 30 ms stands for a production relay (the
I/O-bound case the goal is about), 0 ms shows the CPU-bound case of two shared cores. The
ratio is to 1 worker in the same run; each round is also set against its floor, raw smtplib from
as many processes with 8 connections each sending to the same sink (what the machine and the
sink allow at that concurrency), and prints the workers' CPU per message and cores busy.
Goal: >= 1.7x at 2 workers with the 30 ms sink.
`--quick`: B = 1,200; full: B = 4,000.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ["DRAMATIQ_BROKER"] = "stub"  # this process only fans out; the workers run on Redis
os.environ.setdefault("SECRET_KEY", "bench-scaleout")

import dramatiq  # noqa: E402
import psutil  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from support.common import drop_database, goal, parser, recreate_database  # noqa: E402
from support.stack import Stack, TimedSink, exit_on_sigterm, load_line  # noqa: E402

DEFAULT_URL = "postgresql+psycopg:///civic_bench_scaleout"
WORKERS = (1, 2, 4)
RUNS = 32
LATENCIES = (0.030, 0.0)


def seed(engine, backlog: int) -> int:
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO organizations (slug, name, timezone, sender_email, settings)
            VALUES ('bench', 'City of Bench', 'America/Chicago', 'bench-notices@inbound.localhost', '{}');
            INSERT INTO request_categories (organization_id, code, name, sla_hours, routing_emails,
                                            public_restriction, attributes, description, active)
            VALUES (1, 'pothole', 'Pothole', 48, '{}', 'none', '[]', '', true);"""))
        conn.execute(text("""
            INSERT INTO users (email, name, confirmed, active, is_superadmin)
            SELECT 'resident' || g || '@example.org', 'Resident ' || g, true, true, false
            FROM generate_series(1, :n) g"""), {"n": backlog})
        request_id = conn.execute(text("""
            INSERT INTO service_requests (public_id, organization_id, category_id, reporter_id, location,
                                          address, description, answers, status, source)
            VALUES ('scaleout', 1, 1, 1, ST_SetSRID(ST_MakePoint(-89.65, 39.78), 4326), '1 Main St',
                    'A pothole', '{}', 'open', 'web') RETURNING id""")).scalar_one()
        conn.execute(text("INSERT INTO followers (request_id, user_id) SELECT :r, g FROM generate_series(2, :n) g"),
                     {"r": request_id, "n": backlog})
        conn.execute(text("ANALYZE"))
    return request_id


def new_backlog(app, engine, request_id: int) -> int:
    """One public comment event, fanned out: an email delivery due now for the reporter and every follower."""
    from app.notify.fanout import fan_out

    with engine.begin() as conn:
        event_id = conn.execute(text("""
            INSERT INTO events (kind, organization_id, request_id, actor_id, payload)
            VALUES ('request.comment_public', 1, :r, NULL, '{}') RETURNING id"""), {"r": request_id}).scalar_one()
    with app.app_context():
        fan_out(event_id)
    return event_id


def _cpu(processes) -> float:
    """CPU seconds (user + system) used so far by the worker processes and their children."""
    total = 0.0
    for process in processes:
        try:
            root = psutil.Process(process.pid)
            for p in [root, *root.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _database_cpu(name: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving the bench's database (by process title)."""
    total = 0.0
    for p in psutil.process_iter(["name", "cmdline"]):
        try:
            if p.info["name"] == "postgres" and name in " ".join(p.info["cmdline"] or []):
                times = p.cpu_times()
                total += times.user + times.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def _own_cpu() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


FLOOR_CLIENT = r"""
import smtplib, sys, threading
port, count, threads, size = (int(a) for a in sys.argv[1:5])
# In lines of 78 bytes: a message line of more than 1,000 is refused (RFC 5321 4.5.3.1.6).
body = (b"Subject: floor\r\nMessage-ID: <%d.%d@floor>\r\n\r\n" + (b"x" * 76 + b"\r\n") * (size // 78))
def send(t):
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(t, count, threads):
            smtp.sendmail("floor@example.org", [f"floor{n}@example.org"], body % (n, id(smtp)))
workers = [threading.Thread(target=send, args=(t,)) for t in range(threads)]
[w.start() for w in workers]; [w.join() for w in workers]
"""


def floor_round(sink: TimedSink, processes: int, backlog: int) -> float:
    """The floor: `processes` plain processes, 8 threads each on its own smtplib connection, same sink."""
    sink.handler.clear()
    share = backlog // processes
    started = time.perf_counter()
    clients = [subprocess.Popen([sys.executable, "-c", FLOOR_CLIENT, str(sink.port), str(share), "8", "4000"])
               for _ in range(processes)]
    for client in clients:
        client.wait(300)
    return len(sink.handler.snapshot()) / (time.perf_counter() - started)


def one_round(stack: Stack, app, engine, sink: TimedSink, request_id: int, workers: int, backlog: int, broker) -> dict:
    event_id = new_backlog(app, engine, request_id)
    with engine.connect() as conn:
        due = conn.execute(text("SELECT count(*) FROM email_deliveries WHERE event_id = :e AND status = 'pending'"),
                           {"e": event_id}).scalar_one()
    assert due == backlog, (due, backlog)
    stack.flush_redis()
    sink.handler.clear()
    processes = [stack.start_worker(index) for index in range(workers)]
    try:
        stack.wait_workers(workers)
        database = engine.url.database
        cpu_before, own_before, db_before = _cpu(processes), _own_cpu(), _database_cpu(database)
        started = time.perf_counter()
        for _ in range(RUNS):
            broker.enqueue(dramatiq.Message(queue_name="email", actor_name="send_due_emails", args=(), kwargs={},
                                            options={}))
        deadline = time.monotonic() + 300
        while len(sink.handler.snapshot()) < backlog and time.monotonic() < deadline:
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        cpu, own = _cpu(processes) - cpu_before, _own_cpu() - own_before
        db_cpu = _database_cpu(database) - db_before  # backends that lived through the round
        time.sleep(1.0)  # anything sent twice would arrive now
    finally:
        for process in processes:
            stack.stop(process)
    arrivals = sink.handler.snapshot()
    distinct = {(rcpt, mid) for _, rcpt, mid in arrivals}
    with engine.connect() as conn:
        sent, rows = conn.execute(text("SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FROM email_deliveries "
                                       "WHERE event_id = :e"), {"e": event_id}).one()
    return {"cpu_ms": cpu * 1e3 / max(1, len(arrivals)), "busy": cpu / elapsed, "sink_busy": own / elapsed,
            "db_busy": db_cpu / elapsed,
            "rate": len(arrivals) / elapsed, "arrived": len(arrivals), "distinct": len(distinct), "sent": sent,
            "rows": rows, "seconds": elapsed}


def main() -> None:
    exit_on_sigterm()
    args = parser(__doc__, DEFAULT_URL).parse_args()
    backlog = 1_200 if args.quick else 4_000
    url = args.database_url
    recreate_database(url)
    engine = create_engine(url)
    goals = []
    with TimedSink() as sink:
        stack = Stack(url, sink.port, "scaleout", EMAIL_BATCH_SIZE="25")
        try:
            stack.flask("db", "upgrade")
            request_id = seed(engine, backlog)
            import logging

            from app import create_app
            from app.broker import make_broker

            app = create_app({"SQLALCHEMY_DATABASE_URI": url})
            logging.getLogger().setLevel(logging.WARNING)
            broker = make_broker("redis", url=stack.redis_url, namespace=stack.namespace)
            print(f"scale-out: a backlog of {backlog:,} deliveries, workers of 1 process x 8 threads, "
                  f"{RUNS} delivery runs enqueued at once; {load_line()}")
            exactly_once = True
            for latency in LATENCIES:
                sink.handler.latency = latency
                results, floors = {}, {n: floor_round(sink, n, backlog) for n in WORKERS}
                print(f"  floor, sink latency {latency * 1e3:.0f} ms: raw smtplib from 1/2/4 processes x 8 connections: "
                      + ", ".join(f"{floors[n]:.0f}" for n in WORKERS) + " msg/s ("
                      + ", ".join(f"{floors[n] / floors[1]:.2f}x" for n in WORKERS) + f"); {load_line()}")
                for workers in WORKERS:
                    r = results[workers] = one_round(stack, app, engine, sink, request_id, workers, backlog, broker)
                    once = r["arrived"] == r["distinct"] == r["sent"] == r["rows"] == backlog
                    exactly_once &= once
                    print(f"  sink latency {latency * 1e3:>3.0f} ms, {workers} worker(s): {r['rate']:7.0f} msg/s "
                          f"({r['seconds']:.1f} s), {r['rate'] / results[1]['rate']:.2f}x 1 worker, "
                          f"{r['rate'] / floors[workers]:.2f}x its floor; arrived "
                          f"{r['arrived']:,}, distinct {r['distinct']:,}, sent rows {r['sent']:,}/{r['rows']:,}"
                          f"{'' if once else ' NOT EXACTLY ONCE'}; workers' CPU {r['cpu_ms']:.1f} ms/msg, "
                          f"{r['busy']:.2f} cores busy (PostgreSQL backends alive all round {r['db_busy']:.2f}, sink {r['sink_busy']:.2f}); {load_line()}")
                two, four = (results[n]["rate"] / results[1]["rate"] for n in (2, 4))
                if latency:
                    goals.append(goal(f"delivery with 2 workers {two:.2f}x 1 worker (4: {four:.2f}x), sink answering "
                                      f"in {latency * 1e3:.0f} ms (goal >= 1.7x at 2)", two >= 1.7))
                else:
                    print(f"  zero-latency sink ({os.cpu_count()} shared cores): 2 workers {two:.2f}x, "
                          f"4 workers {four:.2f}x 1 worker (figure only, no goal)")
            goals.append(goal(f"every delivery sent exactly once in every round (sink and database, {backlog:,} each)",
                              exactly_once))
        finally:
            stack.stop_all()
            stack.flush_redis()
            engine.dispose()
            drop_database(url)
    print("\ngoals (bench/scaleout.py):")
    print("\n".join(goals))


if __name__ == "__main__":
    main()
