"""The HTTP path: `GET /api/v1/requests/{id}` through the real WSGI app against a bare Flask view.

Run: `.venv/bin/python bench/http_path.py [--quick] [--profile]`. It creates and drops its own
database (`civic_bench_http`) and touches no other (rate-limit counters under their own Redis
prefix). A resident with a bearer token (not the reporter) reads random requests of a city of
300 (`--quick`) or 10,000, each with a photo (every fifth also with a photo on a public and one
on an internal comment), through the application's WSGI callable (`create_app()`: every hook,
authentication, presence, rate limits, the schema, JSON), and, alternating in the same run,
through a bare Flask app whose one view reads the same rows in one hand-written statement on one
psycopg connection (the token's user, the request, its organization and category, the reader's
permissions, following and support, the photos the reader may see) and answers the same JSON:
before timing, the run checks both answers are equal for a sample of requests. Both go through
werkzeug's test client, so neither pays a socket. Goal: the app within 2x the bare view.
`--profile` prints the app path's top functions (cProfile, cumulative).
"""

from __future__ import annotations

import cProfile
import logging
import os
import pstats
import random
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("SECRET_KEY", "bench-http")
os.environ["DRAMATIQ_BROKER"] = "stub"  # a GET sends no message

from sqlalchemy import text  # noqa: E402
from support.common import (  # noqa: E402
    drop_database,
    goal,
    libpq_url,
    parser,
    recreate_database,
    timed_in_turns,
)

DEFAULT_URL = "postgresql+psycopg:///civic_bench_http"
# The floor reads what the app's answer holds, in one hand-written statement: the reader by
# their token's digest (live token, active user), the request with its organization and
# category, the reader's permissions there, whether they follow and support it, and the
# photos they may see (the request's own and those on public comments).
FLOOR_SQL = """
    WITH reader AS (
        SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = %(token_hash)s AND t.revoked_at IS NULL AND u.active)
    SELECT r.id, r.public_id, o.id, o.slug, o.name, r.category_id, ST_Y(r.location), ST_X(r.location), r.address,
           r.description, r.status, r.assignee_id, r.due_at, r.acknowledged_at, r.closed_at, r.created_at,
           r.updated_at, r.support_count, r.merged_into_id, r.anonymous, reader.id, r.reporter_id,
           c.public_restriction,
           (SELECT array_agg(p.name) FROM permissions p JOIN role_permissions rp ON rp.permission_id = p.id
              JOIN memberships m ON m.role_id = rp.role_id
            WHERE m.user_id = reader.id AND m.organization_id = r.organization_id),
           EXISTS (SELECT FROM followers f WHERE f.request_id = r.id AND f.user_id = reader.id),
           EXISTS (SELECT FROM request_supports s WHERE s.request_id = r.id AND s.user_id = reader.id),
           a.ids, a.filenames, a.content_types, a.sizes, a.created
    FROM service_requests r JOIN organizations o ON o.id = r.organization_id
      JOIN request_categories c ON c.id = r.category_id
      LEFT JOIN reader ON true
      CROSS JOIN LATERAL (
        SELECT array_agg(a.id ORDER BY a.created_at, a.id) AS ids,
               array_agg(a.filename ORDER BY a.created_at, a.id) AS filenames,
               array_agg(a.content_type ORDER BY a.created_at, a.id) AS content_types,
               array_agg(a.size ORDER BY a.created_at, a.id) AS sizes,
               array_agg(a.created_at ORDER BY a.created_at, a.id) AS created
        FROM attachments a
        WHERE a.request_id = r.id AND (a.comment_id IS NULL OR EXISTS (
          SELECT FROM comments cm WHERE cm.id = a.comment_id AND cm.visibility = 'public'))) a
    WHERE r.id = %(id)s"""
COLUMN_KEYS = ("id", "public_id", "organization_id", "organization_slug", "organization_name", "category_id", "lat",
               "lng", "address", "description", "status", "assignee_id", "due_at", "acknowledged_at", "closed_at",
               "created_at", "updated_at", "support_count", "merged_into_id", "anonymous")
TIMES = ("due_at", "acknowledged_at", "closed_at", "created_at", "updated_at")
# What a resident who did not report it may do (the floor's reader, on a category without restriction).
RESIDENT_ACTIONS = {"closed": ["comment", "follow"], "open": ["comment", "follow", "support"],
                    "acknowledged": ["comment", "follow", "support"]}


def seed(db, requests: int) -> str:
    """An organization, a category, residents and requests (each with one photo); the reader's token."""
    from app.accounts.models import User
    from app.accounts.tokens import issue_token

    with db.engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO organizations (slug, name, timezone, sender_email, settings)
            VALUES ('bench', 'City of Bench', 'America/Chicago', 'bench@inbound.localhost', '{}');
            INSERT INTO request_categories (organization_id, code, name, sla_hours) VALUES (1, 'pothole', 'Pothole', 48);
            INSERT INTO users (email, name, confirmed, active)
            SELECT 'resident' || g || '@example.org', 'Resident ' || g, true, true FROM generate_series(1, 100) g;
            INSERT INTO service_requests (public_id, organization_id, category_id, reporter_id, location, address,
                                          description, status)
            SELECT 'h' || lpad(g::text, 9, '0'), 1, 1, 2 + g % 99,
                   ST_SetSRID(ST_MakePoint(-89.65 + random() / 10, 39.78 + random() / 10), 4326),
                   g || ' Elm Street', 'A pothole, number ' || g, (ARRAY['open', 'acknowledged', 'closed'])[1 + g % 3]
            FROM generate_series(1, REQUESTS) g;
            INSERT INTO attachments (request_id, filename, content_type, size, sha256, storage_path)
            SELECT id, 'photo.jpg', 'image/jpeg', 1000, repeat('0', 64), '/nonexistent/photo.jpg' FROM service_requests;
            -- Every fifth request has a public and an internal comment, each with a photo: the
            -- reader sees the first and not the second, on both sides.
            INSERT INTO comments (request_id, author_id, body, visibility, source)
            SELECT r.id, 2, v || ' note', v, 'web' FROM service_requests r, unnest(ARRAY['public', 'internal']) v
            WHERE r.id % 5 = 0;
            INSERT INTO attachments (request_id, comment_id, filename, content_type, size, sha256, storage_path)
            SELECT request_id, id, visibility || '.jpg', 'image/jpeg', 2000, repeat('1', 64), '/nonexistent/c.jpg'
            FROM comments;
            ANALYZE;
        """.replace("REQUESTS", str(int(requests)))))
    token = issue_token(db.session.get(User, 1), "bench")
    db.session.commit()
    return token


def floor_app(url: str, inbound_domain: str):
    """A bare Flask app: one view, one SELECT on one psycopg connection, the same JSON as the app's."""
    import hashlib

    import psycopg
    from flask import Flask, abort, jsonify, request

    bare = Flask("floor")
    conn = psycopg.connect(libpq_url(url), autocommit=True)

    def when(value):
        return value.isoformat() if value is not None else None

    @bare.get("/requests/<int:request_id>")
    def one(request_id: int):
        token = request.headers.get("Authorization", "").partition(" ")[2]
        row = conn.execute(FLOOR_SQL, {"id": request_id,
                                       "token_hash": hashlib.sha256(token.encode()).hexdigest()}).fetchone()
        if row is None:
            abort(404)
        shown = dict(zip(COLUMN_KEYS, row[:20], strict=True))
        reader, reporter, restriction, permissions, following, supporting = row[20:26]
        if reader is None:
            abort(401)
        # Only the floor's case: a resident who is no member and not the reporter, no restriction.
        assert not permissions and reader != reporter and restriction == "none", (permissions, restriction)
        for key in TIMES:
            shown[key] = when(shown[key])
        shown["organization"] = {"id": shown.pop("organization_id"), "slug": shown.pop("organization_slug"),
                                 "name": shown.pop("organization_name")}
        shown["email_address"] = f"request-{shown['public_id']}@{inbound_domain}"
        ids, names, types, sizes, created = row[26:]
        shown["photos"] = [{"id": i, "filename": n, "content_type": t, "size": z, "created_at": when(c),
                            "url": f"/api/v1/requests/{request_id}/attachments/{i}"}
                           for i, n, t, z, c in zip(ids or (), names or (), types or (), sizes or (), created or (), strict=True)]
        shown["viewer"] = {"following": following, "supporting": supporting,
                           "actions": RESIDENT_ACTIONS[shown["status"]]}
        return jsonify(shown)

    return bare, conn


def same_answers(app, bare, token: str, requests: int) -> None:
    """Both sides answer the same JSON (keys, nesting, values) for a sample of the requests."""
    client, floor_client = app.test_client(), bare.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for request_id in range(1, min(requests, 30) + 1):
        ours = client.get(f"/api/v1/requests/{request_id}", headers=headers).get_json()
        floor = floor_client.get(f"/requests/{request_id}", headers=headers).get_json()
        assert ours == floor, (ours, floor)


def measure(app, bare, token: str, requests: int, runs: int, profile: bool) -> list[str]:
    rng = random.Random(15)
    client, floor_client = app.test_client(), bare.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    profiler = cProfile.Profile() if profile else None

    def answered(response):
        assert response.status_code == 200, response.get_data(as_text=True)

    ours, floors = timed_in_turns(
        runs, 10, lambda: rng.randint(1, requests),
        lambda request_id: client.get(f"/api/v1/requests/{request_id}", headers=headers),
        lambda request_id: floor_client.get(f"/requests/{request_id}", headers=headers), after=answered, profiler=profiler)
    p50, f50 = statistics.median(ours), statistics.median(floors)
    ratio = p50 / f50
    print(f"GET /api/v1/requests/{{id}} ({runs} runs, {requests:,} requests): app p50 {p50:.2f} ms "
          f"p99 {_p99(ours):.2f}, bare Flask + psycopg p50 {f50:.2f} ms p99 {_p99(floors):.2f}: {ratio:.2f}x")
    if profiler:
        print("\nthe app path's profile (cumulative, top 25):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return [goal(f"GET /api/v1/requests/{{id}}: {ratio:.2f}x a bare Flask view (goal <= 2x)", ratio <= 2)]


def statements(app, token: str) -> int:
    """The statements one GET sends (the pool's pre-ping included)."""
    from sqlalchemy import event

    from app.extensions import db

    sent = []

    def keep(*args):
        sent.append(args[2])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", keep)
        app.test_client().get("/api/v1/requests/7", headers={"Authorization": f"Bearer {token}"})
        event.remove(db.engine, "before_cursor_execute", keep)
    for statement in sent:
        print("   ", " ".join(statement.split())[:140])
    return len(sent)


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> None:
    cli = parser(__doc__, DEFAULT_URL)
    cli.add_argument("--profile", action="store_true", help="print the app path's cProfile")
    args = cli.parse_args()
    requests, runs = (300, 300) if args.quick else (10_000, 2_000)
    url = args.database_url
    recreate_database(url)
    try:
        from flask_migrate import upgrade

        from app import create_app
        from app.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_KEY_PREFIX": "civic-bench-http"})
        with app.app_context():
            upgrade()
            logging.getLogger().setLevel(logging.WARNING)
            token = seed(db, requests)
            db.session.remove()
        bare, conn = floor_app(url, app.config["INBOUND_DOMAIN"])
        same_answers(app, bare, token, requests)
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("statements of one GET:")
        count = statements(app, token)
        print(f"  {count} statements")
        goals = measure(app, bare, token, requests, runs, args.profile)
        conn.close()
        with app.app_context():
            db.engine.dispose()
    finally:
        drop_database(url)
    loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("\ngoals (bench/http_path.py" + (", --quick" if args.quick else "") + f", load {loadavg}):")
    print("\n".join(goals))


if __name__ == "__main__":
    main()
