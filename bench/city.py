"""A city of a million requests: each hot read's p50 and p99 against its raw SQL floor.

Run: `.venv/bin/python bench/city.py [--quick] [--requests N]`. It creates its own database
(`civic_bench_city`, dropped afterwards) from the real migrations and loads, by COPY, ten
years of a large city: 1,000,000 requests (`--quick`: 50,000) over 100 categories of one
organization and a neighbour, reported by 200,000 residents, each with its `request.submitted`
event, and one request with a long timeline (400 events and comments). Then, for each hot
read, the application's code path (app/requests/queries.py through SQLAlchemy, in an app
context) and the floor (the same rows by hand-written SQL on a bare psycopg connection) alternate,
with the same random parameters (a map's floor uses the same map-point index the app does, so its
ratio is the app's own overhead, not the index's). Goals: every read within 1.5x its floor, p50 under 30 ms.
Watch areas are measured by bench/watch_areas.py, not here.
"""

from __future__ import annotations

import logging
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("SECRET_KEY", "bench-city")
os.environ["DRAMATIQ_BROKER"] = "stub"  # reads send no messages

from support.common import (  # noqa: E402
    drop_database,
    goal,
    libpq_url,
    parser,
    recreate_database,
    timed_in_turns,
)

DEFAULT_URL = "postgresql+psycopg:///civic_bench_city"
CENTRE = (-89.65, 39.78)
WORDS = ("pothole", "graffiti", "streetlight", "hydrant", "sidewalk", "tree", "signal", "trash", "noise",
         "flooding", "parking", "sign", "bench", "crosswalk", "drain", "snow", "leaf", "curb", "fence", "alley")
STREETS = ("Elm", "Oak", "Maple", "Cedar", "Pine", "Walnut", "Lincoln", "Washington", "Adams", "Jefferson")
STATUSES = ("open", "acknowledged", "closed", "archived")
STATUS_WEIGHTS = (4, 2, 20, 74)  # ten years: most requests long closed
PAGE = 20


def _progress(message: str) -> None:
    print(f"  {message}", flush=True)


def load(conn, requests: int, residents: int) -> int:
    """Organizations, categories, residents and requests by COPY; returns the long-timeline request's id."""
    rng = random.Random(311)
    with conn.cursor() as cur:
        cur.execute("""
            INSERT INTO organizations (id, slug, name, timezone) VALUES
              (1, 'springfield', 'Springfield', 'America/Chicago'), (2, 'shelbyville', 'Shelbyville', 'America/Chicago');
            INSERT INTO request_categories (id, organization_id, code, name, sla_hours)
            SELECT g, CASE WHEN g <= 90 THEN 1 ELSE 2 END, 'cat' || g, 'Category ' || g, 48
            FROM generate_series(1, 100) g;
        """)
        cur.execute("INSERT INTO users (id, email, name, confirmed, active) "
                    "SELECT g, 'resident' || g || '@example.org', 'Resident ' || g, true, true "
                    "FROM generate_series(1, %s) g", (residents,))
        start = time.perf_counter()
        ten_years = 10 * 365 * 86400
        with cur.copy("COPY service_requests (id, public_id, organization_id, category_id, reporter_id, location, "
                      "address, description, status, created_at, updated_at) FROM STDIN") as copy:
            for n in range(1, requests + 1):
                category = rng.randint(1, 100)
                lng = CENTRE[0] + rng.gauss(0, 0.05)
                lat = CENTRE[1] + rng.gauss(0, 0.04)
                created = ten_years * (n / requests)  # ids grow with time, as in life
                updated = min(ten_years, created + rng.expovariate(1 / 86400 / 5))
                copy.write_row((
                    n, f"c{n:09d}", 1 if category <= 90 else 2, category, rng.randint(1, residents),
                    f"SRID=4326;POINT({lng:.6f} {lat:.6f})", f"{rng.randint(1, 9999)} {rng.choice(STREETS)} Street",
                    f"{rng.choice(WORDS)} {rng.choice(WORDS)} reported near the corner",
                    rng.choices(STATUSES, STATUS_WEIGHTS)[0], _at(created), _at(updated)))
        _progress(f"{requests:,} requests copied in {time.perf_counter() - start:.0f} s")
        cur.execute("""
            INSERT INTO events (kind, organization_id, request_id, actor_id, payload, created_at, dispatched_at)
            SELECT 'request.submitted', organization_id, id, reporter_id, '{}', created_at, created_at
            FROM service_requests;
        """)
        long_id = requests // 2
        cur.execute("""
            INSERT INTO events (kind, organization_id, request_id, payload, created_at, dispatched_at)
            SELECT 'request.acknowledged', 1, %(r)s, '{}', now() - g * interval '1 hour', now()
            FROM generate_series(1, 200) g""", {"r": long_id})
        cur.execute("""
            INSERT INTO comments (request_id, author_id, body, visibility, source, created_at)
            SELECT %(r)s, 1, 'Comment ' || g, CASE WHEN g %% 4 = 0 THEN 'internal' ELSE 'public' END, 'web',
                   now() - g * interval '1 hour' FROM generate_series(1, 200) g;
        """, {"r": long_id})
        for table in ("users", "organizations", "request_categories", "service_requests"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    conn.commit()
    start = time.perf_counter()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")
    conn.autocommit = False
    _progress(f"events, timeline, VACUUM ANALYZE in {time.perf_counter() - start:.0f} s")
    return long_id


def _at(seconds: float) -> str:
    return (datetime(2016, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)).isoformat()


# --- the reads: (name, app path, floor), each given the same random parameters ---------------------
def _box(rng) -> tuple[float, float, float, float]:
    lng, lat = CENTRE[0] + rng.gauss(0, 0.03), CENTRE[1] + rng.gauss(0, 0.03)
    return lng - 0.004, lat - 0.003, lng + 0.004, lat + 0.003  # a few blocks: a zoomed-in map


# The floor fetches the same rows and columns the app returns: the organization's reference, the
# point as lat/lng, and for staff the answers, the reporter's contact and the SLA fields.
PUBLIC_COLUMNS = ("r.id, r.public_id, o.id, o.slug, o.name, r.category_id, ST_Y(r.location), ST_X(r.location), "
                  "r.address, r.description, r.status, r.assignee_id, r.due_at, r.acknowledged_at, r.closed_at, "
                  "r.created_at, r.updated_at, r.support_count, r.merged_into_id, r.anonymous")
STAFF_COLUMNS = PUBLIC_COLUMNS + ", r.answers, u.id, u.name, u.email, u.phone, r.sla_due_at, r.source"
TIMELINE_FLOOR = """
    SELECT * FROM (
      SELECT 'event' AS entry, e.id, e.created_at AS at, e.kind, e.payload, NULL::text AS body, NULL::text AS visibility,
             NULL::text AS source, NULL::int[] AS mentioned, e.actor_id AS person_id, a.name
      FROM events e LEFT JOIN users a ON a.id = e.actor_id
      WHERE e.request_id = %(r)s AND e.kind NOT IN ('request.comment_public', 'request.comment_internal')
      UNION ALL
      SELECT 'comment', c.id, c.created_at, NULL, NULL, c.body, c.visibility, c.source, c.mentioned_user_ids,
             c.author_id, a.name
      FROM comments c LEFT JOIN users a ON a.id = c.author_id WHERE c.request_id = %(r)s) t"""


def reads(ctx) -> list[tuple[str, object, object]]:
    """(name, app path, floor) per hot read. The app path is what the HTTP view does once it knows the
    caller: the domain read (permission check included) and the dump through the API's schema."""
    from app.pagination import page_schema
    from app.requests import queries
    from app.requests.policy import Audience
    from app.requests.schemas import RequestSchema, TimelineEntrySchema

    org, staff, long_request, raw = ctx["org"], ctx["staff"], ctx["long"], ctx["raw"]
    newest = ctx["newest"]
    requests_page = page_schema(RequestSchema, "BenchRequestPageSchema")()
    timeline_schema = page_schema(TimelineEntrySchema, "BenchTimelinePageSchema")()

    def rows(sql, params):
        with raw.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def floor_page(where: str, params: dict, columns: str = PUBLIC_COLUMNS):
        rows(f"SELECT count(*) FROM service_requests r WHERE {where}", params)
        return rows(f"SELECT {columns} FROM service_requests r JOIN organizations o ON o.id = r.organization_id "
                    f"LEFT JOIN users u ON u.id = r.reporter_id WHERE {where} "
                    f"ORDER BY r.updated_at DESC, r.id DESC LIMIT {PAGE}", params)

    def staff_page(where: str):
        return floor_page(f"r.organization_id = %(o)s{where}", {"o": org.id}, STAFF_COLUMNS)

    def page(**filters):
        return {"page": 1, "per_page": PAGE, **filters}

    def listed(**filters):
        return requests_page.dump(queries.list_requests(page(**filters)))

    def queue(**filters):
        return requests_page.dump(queries.staff_queue(org, staff, page(**filters)))

    return [
        ("staff queue (newest change first)", lambda p: queue(), lambda p: staff_page("")),
        ("staff queue, status open", lambda p: queue(status=["open"]), lambda p: staff_page(" AND r.status = 'open'")),
        ("public map, bounding box",
         lambda p: listed(bbox=p["box"]),
         lambda p: floor_page("r.map_point <@ box(point(%(a)s, %(b)s), point(%(c)s, %(d)s))",
                              dict(zip("abcd", p["box"], strict=True)))),
        ("public map, radius 300 m",
         lambda p: listed(lng=p["box"][0], lat=p["box"][1], radius_m=300),
         lambda p: floor_page("r.map_point <@ box(point(%(x)s - 0.0036, %(y)s - 0.0036), point(%(x)s + 0.0036, %(y)s + 0.0036)) "
                              "AND ST_DWithin(ST_SetSRID(r.map_point::geometry, 4326)::geography, "
                              "ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4326)::geography, 300)",
                              {"x": p["box"][0], "y": p["box"][1]})),
        ("q text search",
         lambda p: listed(q=p["word"]),
         lambda p: floor_page("(r.description ILIKE %(q)s OR r.address ILIKE %(q)s)", {"q": f"%{p['word']}%"})),
        ("updated_after paging",
         lambda p: listed(updated_after=p["since"]),
         lambda p: floor_page("r.updated_at > %(s)s", {"s": p["since"]})),
        ("request timeline (400 entries, staff)",
         lambda p: timeline_schema.dump(queries.timeline_page(long_request, Audience.STAFF, 1, 50)),
         lambda p: (rows(f"SELECT count(*) FROM ({TIMELINE_FLOOR}) n", {"r": long_request.id}),
                    rows(f"{TIMELINE_FLOOR} ORDER BY at, entry DESC, id LIMIT 50", {"r": long_request.id}))),
        ("dashboard counts (open, acknowledged)",
         lambda p: queries.queue_counts(org, staff, {s: {"status": [s]} for s in ("open", "acknowledged")}),
         lambda p: rows("SELECT (SELECT count(*) FROM service_requests WHERE organization_id = %(o)s AND status = 'open'), "
                        "(SELECT count(*) FROM service_requests WHERE organization_id = %(o)s "
                        "AND status = 'acknowledged')", {"o": org.id})),
    ], newest


def measure(ctx, runs: int) -> list[str]:
    from sqlalchemy import event

    from app.extensions import db

    rng = random.Random(7)
    table, newest = reads(ctx)
    goals = []
    sent = []  # the app path's statements (the profile: round trips are most of the gap)
    event.listen(db.engine, "before_cursor_execute", lambda *args: sent.append(1))
    event.listen(db.engine, "engine_connect", lambda *args: sent.append(1))  # the pool's pre-ping
    print(f"\n{'read':40} {'app p50':>8} {'p99':>7} {'floor p50':>10} {'p99':>7} {'ratio':>6} "
          f"{'statements app/floor':>21}  (ms, {runs} runs)")

    def rolled_back(_result):
        db.session.rollback()
        ctx["raw"].rollback()

    for name, app_read, floor_read in table:
        sent.clear()
        ours, floors = timed_in_turns(
            runs, 3, lambda: {"box": _box(rng), "word": rng.choice(WORDS),
                              "since": newest - timedelta(hours=rng.randint(1, 48))},
            app_read, floor_read, after=rolled_back)
        p50, p99 = statistics.median(ours), _p99(ours)
        f50, f99 = statistics.median(floors), _p99(floors)
        ratio = p50 / f50
        floor_statements = 1 if "dashboard" in name else 2
        print(f"{name:40} {p50:8.2f} {p99:7.2f} {f50:10.2f} {f99:7.2f} {ratio:5.2f}x "
              f"{len(sent) / (runs + 3):>13.1f}/{floor_statements}")
        goals.append(goal(f"{name}: {ratio:.2f}x its floor (goal <= 1.5x)", ratio <= 1.5))
        goals.append(goal(f"{name}: p50 {p50:.1f} ms (goal < 30 ms)", p50 < 30))
    return goals


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else values[0]


def main() -> None:
    cli = parser(__doc__, DEFAULT_URL)
    cli.add_argument("--requests", type=int, help="requests to load (default 1,000,000; --quick 50,000)")
    args = cli.parse_args()
    requests = args.requests or (50_000 if args.quick else 1_000_000)
    residents = max(1_000, requests // 5)
    runs = 30 if args.quick else 200
    url = args.database_url
    recreate_database(url)
    try:
        import psycopg
        from flask_migrate import upgrade

        from app import create_app
        from app.accounts.models import Organization
        from app.extensions import db
        from app.requests.models import ServiceRequest
        from tests.factories import make_member

        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            logging.getLogger().setLevel(logging.WARNING)
            print(f"city of {requests:,} requests, {residents:,} residents:")
            with psycopg.connect(libpq_url(url)) as loader:
                long_id = load(loader, requests, residents)
            org = db.session.get(Organization, 1)
            staff = make_member(org, "staff", email="staff@springfield.example")
            ctx = {"org": org, "staff": staff, "long": db.session.get(ServiceRequest, long_id),
                   "newest": db.session.scalar(db.select(db.func.max(ServiceRequest.updated_at))),
                   "raw": psycopg.connect(libpq_url(url))}  # the floor's own connection, no pool
            # Loaded once, as a request loads them once: the rollbacks between runs must not expire them.
            for loaded in (org, staff, ctx["long"]):
                db.session.refresh(loaded)
            db.session.expunge_all()
            db.session.rollback()
            print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} before the reads")
            goals = measure(ctx, runs)
            print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} after the reads")
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_database(url)
    loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("\ngoals (bench/city.py" + (", --quick" if args.quick else "") + f", {requests:,} requests, load {loadavg}):")
    print("\n".join(goals))


if __name__ == "__main__":
    main()
