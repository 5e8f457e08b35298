"""Watch-area lookup at city scale: from an event's point to the distinct subscribers.

For each size (default 10,000, 100,000 and 1,000,000 areas; `--sizes 10000,100000`; `--quick`:
10,000 areas, 2,000 events) this
builds a fresh database from the real migrations, bulk-loads a synthetic metro (bench/
support/city.py) with COPY, and looks up 10,000 event points four ways:

- app:     `app.watch.lookup.subscriber_ids_at`, the application's code path (SQLAlchemy);
- raw:     the same SQL statement sent through a bare psycopg connection: the floor;
- STRtree: Shapely's STRtree in this process, a peer (owners/followers from dicts);
- naive:   a Python loop testing every Shapely polygon, on a sample of the events.

app and raw alternate per event (random order) on the same data, so both see the same
caches. Every event's answer must agree between app, raw and STRtree; a disagreement
fails the run. Ratios are against the raw floor measured in the same run.
Goals: app within 1.3x of raw; >= 1,000x faster than naive at 100,000; p50 < 5 ms at 1M.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import statistics
import sys
import time
from collections import defaultdict

os.environ.setdefault("DRAMATIQ_BROKER", "stub")  # the lookup sends no messages

import numpy as np  # noqa: E402
import psycopg  # noqa: E402
import shapely  # noqa: E402
from support.city import CATEGORY_COUNT, build_city, event_points  # noqa: E402
from support.common import drop_database, libpq_url, recreate_database  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_URL = "postgresql+psycopg:///civic_bench_watch"
NAIVE_BUDGET_CALLS = 3_000_000  # polygon tests the naive loop may spend per size
COPY_CHUNK = 20_000
WARMUP_EVENTS = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated area counts (default: %(default)s)")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep-db", action="store_true", help="leave the last database behind")
    parser.add_argument("--quick", action="store_true", help="10,000 areas and 2,000 events: a few minutes")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.events = "10000", min(args.events, 2_000)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    events = event_points(args.events)
    rows = []
    for size in sizes:
        rows.append(run_size(size, events, args.database_url))
        print_summary(rows, len(events))
    if not args.keep_db:
        drop_database(args.database_url)
    return 0


# ---------------------------------------------------------------- database and loading



def load(conn: psycopg.Connection, city) -> None:
    """Users, one organization's categories, areas and followers, by COPY (the trigger cuts parts)."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO users (id, email, name) SELECT g, 'bench' || g || '@example.org', "
                    "'Resident ' || g FROM generate_series(1, %s) AS g", (city.user_count,))
        cur.execute("INSERT INTO organizations (id, slug, name, timezone) "
                    "VALUES (1, 'springfield', 'Springfield', 'America/Chicago')")
        cur.execute("INSERT INTO request_categories (id, organization_id, code, name) "
                    "SELECT g, 1, 'cat' || g, 'Category ' || g FROM generate_series(1, %s) AS g",
                    (CATEGORY_COUNT,))
        for start in range(0, len(city.geoms), COPY_CHUNK):
            # Hex EWKB per chunk: for a million areas the whole would be gigabytes of text.
            wkb = shapely.to_wkb(city.geoms[start:start + COPY_CHUNK], hex=True, include_srid=True)
            with cur.copy("COPY watch_areas (id, owner_id, name, geom, public, category_ids) FROM STDIN") as copy:
                for i, geometry in enumerate(wkb, start):
                    categories = "{" + ",".join(map(str, city.category_ids[i])) + "}"
                    copy.write_row((i + 1, int(city.owner_ids[i]), f"Area {i + 1}", geometry,
                                    bool(city.public[i]), categories))
        with cur.copy("COPY watch_area_followers (watch_area_id, user_id) FROM STDIN") as copy:
            for area_index, user_id in city.followers:
                copy.write_row((int(area_index) + 1, int(user_id)))
        for table in ("users", "organizations", "request_categories", "watch_areas"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")
    conn.autocommit = False


# ---------------------------------------------------------------- the four lookups


def raw_statement():
    """The application's point lookup as SQL text for psycopg, with its constant parameters."""
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    from app.watch.lookup import at_point_sql

    return at_point_sql(PGDialect_psycopg())


class Peer:
    """The same question answered in-process from Shapely geometries and dicts."""

    def __init__(self, city) -> None:
        self.geoms = city.geoms
        self.tree = shapely.STRtree(city.geoms)
        self.owner = city.owner_ids
        self.categories = [frozenset(c) for c in city.category_ids]
        self.followers = defaultdict(list)
        for area_index, user_id in city.followers:
            self.followers[int(area_index)].append(int(user_id))

    def _subscribers(self, indexes, category_id) -> set[int]:
        users: set[int] = set()
        for i in indexes:
            if self.categories[i] and category_id not in self.categories[i]:
                continue
            users.add(int(self.owner[i]))
            users.update(self.followers.get(int(i), ()))
        return users

    def strtree(self, lng, lat, category_id) -> set[int]:
        return self._subscribers(self.tree.query(shapely.Point(lng, lat), predicate="intersects"), category_id)

    def naive(self, lng, lat, category_id) -> set[int]:
        point = shapely.Point(lng, lat)
        return self._subscribers([i for i, g in enumerate(self.geoms) if g.intersects(point)], category_id)


def timed(fn, *args):
    start = time.perf_counter_ns()
    result = fn(*args)
    return (time.perf_counter_ns() - start) / 1e6, result


def run_size(size: int, events, url: str) -> dict:
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.watch.lookup import subscriber_ids_at

    print(f"\n== {size:,} areas", flush=True)
    started = time.perf_counter()
    city = build_city(size)
    print(f"   generated in {time.perf_counter() - started:.1f} s "
          f"({int(shapely.get_num_coordinates(city.geoms).sum()):,} vertices, {len(city.followers):,} follows)",
          flush=True)
    recreate_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ECHO": False})
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
    raw = psycopg.connect(libpq_url(url))
    started = time.perf_counter()
    load(raw, city)
    load_s = time.perf_counter() - started
    parts = raw.execute("SELECT count(*) FROM watch_area_parts").fetchone()[0]
    print(f"   loaded in {load_s:.1f} s ({parts:,} parts)", flush=True)

    sql, constants = raw_statement()

    def raw_lookup(lng, lat, category_id):
        params = {**constants, "lng": lng, "lat": lat, "category_id": category_id}
        return [row[0] for row in raw.execute(sql, params).fetchall()]

    peer = Peer(city)
    # The harness's own heap (a million Shapely objects at the largest size) is not the
    # application's: keep the collector from walking it in the middle of a timed lookup.
    gc.collect()
    gc.freeze()
    shuffle = random.Random(size)
    times = {"app": [], "raw": [], "strtree": []}
    hits = []
    with app.app_context():
        for lng, lat, category_id in events[:WARMUP_EVENTS]:
            raw_lookup(lng, lat, category_id)
            subscriber_ids_at(lng, lat, category_id)
        for lng, lat, category_id in events:
            order = [("app", subscriber_ids_at), ("raw", raw_lookup)]
            shuffle.shuffle(order)
            answers = {}
            for name, fn in order:
                elapsed, answers[name] = timed(fn, lng, lat, category_id)
                times[name].append(elapsed)
            elapsed, answers["strtree"] = timed(peer.strtree, lng, lat, category_id)
            times["strtree"].append(elapsed)
            expected = set(answers["raw"])
            if set(answers["app"]) != expected or answers["strtree"] != expected or len(answers["app"]) != len(expected):
                print(f"   DISAGREEMENT at {lng}, {lat}, category {category_id}: {answers}", file=sys.stderr)
                raise SystemExit(1)
            hits.append(len(expected))
        db.session.remove()
        db.engine.dispose()
    raw.close()
    gc.unfreeze()

    naive_count = max(3, min(len(events), NAIVE_BUDGET_CALLS // size))
    naive_times = []
    for lng, lat, category_id in events[:naive_count]:
        elapsed, answer = timed(peer.naive, lng, lat, category_id)
        naive_times.append(elapsed)
        if answer != peer.strtree(lng, lat, category_id):
            raise SystemExit(f"naive loop disagrees at {lng}, {lat}")
    return {"size": size, "parts": parts, "load_s": load_s, "hits": hits, "naive_n": naive_count,
            **{name: values for name, values in times.items()}, "naive": naive_times}


# ---------------------------------------------------------------- report


def pct(values, q: float) -> float:
    return float(np.percentile(values, q))


def print_summary(rows, event_count: int) -> None:
    print(f"\nwatch-area lookup: {event_count:,} events per size, per-event latency in ms "
          "(ratio = against the raw psycopg floor of the same run)")
    header = (f"{'areas':>10} {'parts':>10} {'subs/evt':>8} | {'raw p50':>8} {'raw p99':>8} | "
              f"{'app p50':>8} {'ratio':>6} {'app p99':>8} {'ratio':>6} | {'STRtree p50':>11} {'ratio':>6} "
              f"{'p99':>7} | {'naive p50':>10} {'n':>4} {'app speedup':>11}")
    print(header)
    print("-" * len(header))
    for row in rows:
        raw50, raw99 = pct(row["raw"], 50), pct(row["raw"], 99)
        app50, app99 = pct(row["app"], 50), pct(row["app"], 99)
        tree50, tree99 = pct(row["strtree"], 50), pct(row["strtree"], 99)
        naive50 = statistics.median(row["naive"])
        print(f"{row['size']:>10,} {row['parts']:>10,} {statistics.mean(row['hits']):>8.1f} | "
              f"{raw50:>8.3f} {raw99:>8.3f} | {app50:>8.3f} {app50 / raw50:>5.2f}x {app99:>8.3f} "
              f"{app99 / raw99:>5.2f}x | {tree50:>11.3f} {tree50 / raw50:>5.2f}x {tree99:>7.3f} | "
              f"{naive50:>10.2f} {row['naive_n']:>4} {naive50 / app50:>10,.0f}x")
    print()
    for row in rows:
        app50, raw50, raw99, app99 = (pct(row["app"], 50), pct(row["raw"], 50), pct(row["raw"], 99),
                                      pct(row["app"], 99))
        naive_speedup = statistics.median(row["naive"]) / app50
        goals = [_goal(f"app/raw p50 {app50 / raw50:.2f}x p99 {app99 / raw99:.2f}x (goal <= 1.3x)",
                       max(app50 / raw50, app99 / raw99) <= 1.3)]
        if row["size"] >= 100_000:
            goals.append(_goal(f"vs naive {naive_speedup:,.0f}x (goal >= 1,000x)", naive_speedup >= 1_000))
        if row["size"] >= 1_000_000:
            goals.append(_goal(f"p50 {app50:.2f} ms (goal < 5 ms)", app50 < 5))
        print(f"   {row['size']:>10,}: load {row['load_s']:.0f} s; " + "; ".join(goals))


def _goal(text: str, met: bool) -> str:
    return f"{text} {'met' if met else 'MISSED'}"

if __name__ == "__main__":
    sys.exit(main())
