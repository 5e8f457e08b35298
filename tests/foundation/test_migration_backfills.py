"""Migrations that derive data from existing rows derive it right: run on a database that holds requests."""


import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app.extensions import db
from tests.support.database import scratch_app

STATUSES = ("open", "acknowledged", "closed", "archived")


@pytest.fixture
def old_app():
    with scratch_app("_backfills") as app:
        yield app


def _requests_of_two_organizations(conn) -> None:
    """Two organizations, 500 requests in every status, at places spread over a city."""
    conn.execute(text("""
        INSERT INTO organizations (slug, name, timezone, sender_email, settings)
        VALUES ('one', 'City One', 'America/Chicago', 'one@inbound.localhost', '{}'),
               ('two', 'City Two', 'America/Chicago', 'two@inbound.localhost', '{}');
        INSERT INTO request_categories (organization_id, code, name, sla_hours, routing_emails,
                                        public_restriction, attributes, description, active)
        VALUES (1, 'pothole', 'Pothole', 48, '{}', 'none', '[]', '', true),
               (2, 'graffiti', 'Graffiti', 48, '{}', 'none', '[]', '', true);"""))
    conn.execute(text("""
        INSERT INTO service_requests (public_id, organization_id, category_id, location, address, description,
                                      answers, status, source)
        SELECT 'old' || g, 1 + (g % 3 = 0)::int, 1 + (g % 3 = 0)::int,
               ST_SetSRID(ST_MakePoint(-89.7 + (g % 37) * 0.003, 39.7 + (g % 41) * 0.002), 4326),
               g || ' Elm Street', 'An old request', '{}', (CAST(:statuses AS text[]))[1 + g % 4], 'web'
        FROM generate_series(1, 500) g"""), {"statuses": list(STATUSES)})


def test_the_request_counters_and_map_points_of_existing_requests_match_the_rows(old_app):
    with old_app.app_context():
        upgrade(revision="0025_email_locales")
        with db.engine.begin() as conn:
            _requests_of_two_organizations(conn)
        upgrade()
        with db.engine.connect() as conn:
            counted = set(conn.execute(text(
                "SELECT organization_id, status, count(*) FROM service_requests GROUP BY 1, 2")).all())
            kept = set(conn.execute(text(
                "SELECT organization_id, status, sum(n) FROM request_counts GROUP BY 1, 2 HAVING sum(n) <> 0")).all())
            astray = conn.execute(text(
                "SELECT count(*) FROM service_requests WHERE map_point IS NULL "
                "OR map_point[0] <> ST_X(location) OR map_point[1] <> ST_Y(location)")).scalar_one()
        db.engine.dispose()
    assert len(counted) == 8 and sum(n for *_, n in counted) == 500
    assert kept == counted
    assert astray == 0
