"""GET /api/v1/orgs/{org}/exports/requests.csv|.geojson: the queue's filters, streamed, public columns for the public."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point, shape
from sqlalchemy import text

from app.extensions import db
from tests.factories import (
    CENTRE,
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    make_member,
)
from tests.support.auth import bearer

EXPORTS = "/api/v1/orgs/springfield/exports"


@pytest.fixture
def city():
    org = OrganizationFactory(slug="springfield")
    pothole = CategoryFactory(organization=org, code="pothole", name="Pothole")
    graffiti = CategoryFactory(organization=org, code="graffiti", name="Graffiti")
    staff = make_member(org, "staff", name="Sam Staff")
    ann = UserFactory(name="Ann Resident", email="ann@example.org")
    first = ServiceRequestFactory(category=pothole, reporter=ann, description="Deep hole by the school",
                                  location=from_shape(Point(-89.651, 39.781), srid=4326), assignee=staff)
    second = ServiceRequestFactory(category=graffiti, reporter=ann, description="=HYPERLINK(\"http://x\")",
                                   status="closed", location=from_shape(Point(-89.64, 39.79), srid=4326))
    other = ServiceRequestFactory(category=CategoryFactory(organization=OrganizationFactory(slug="shelbyville")))
    return type("City", (), {"org": org, "pothole": pothole, "graffiti": graffiti, "staff": staff,
                             "first": first, "second": second, "other": other})


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv" and response.is_streamed
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_staff_export_every_request_of_their_organization_with_staff_columns(client, city):
    rows = _csv(client.get(f"{EXPORTS}/requests.csv", headers=bearer(city.staff)))
    assert [row["public_id"] for row in rows] == [city.first.public_id, city.second.public_id]
    first = rows[0]
    assert first["category_code"] == "pothole" and first["status"] == "open"
    assert (float(first["lng"]), float(first["lat"])) == (-89.651, 39.781)
    assert first["reporter_email"] == "ann@example.org" and first["assignee_name"] == "Sam Staff"
    assert "attachment" in client.get(f"{EXPORTS}/requests.csv", headers=bearer(city.staff)).headers[
        "Content-Disposition"]


def test_the_public_gets_public_columns_only(client, city):
    rows = _csv(client.get(f"{EXPORTS}/requests.csv"))
    assert len(rows) == 2
    assert "reporter_email" not in rows[0] and "reporter_name" not in rows[0] and "sla_due_at" not in rows[0]
    resident = _csv(client.get(f"{EXPORTS}/requests.csv", headers=bearer(UserFactory())))
    assert set(resident[0]) == set(rows[0])
    assert "ann@example.org" not in client.get(f"{EXPORTS}/requests.geojson").get_data(as_text=True)


def test_the_queue_filters_apply(client, city):
    headers = bearer(city.staff)
    closed = _csv(client.get(f"{EXPORTS}/requests.csv?status=closed", headers=headers))
    assert [row["public_id"] for row in closed] == [city.second.public_id]
    potholes = _csv(client.get(f"{EXPORTS}/requests.csv?category={city.pothole.id}", headers=headers))
    assert [row["public_id"] for row in potholes] == [city.first.public_id]
    words = _csv(client.get(f"{EXPORTS}/requests.csv?q=school", headers=headers))
    assert [row["public_id"] for row in words] == [city.first.public_id]
    mine = _csv(client.get(f"{EXPORTS}/requests.csv?assigned_to={city.staff.id}", headers=headers))
    assert [row["public_id"] for row in mine] == [city.first.public_id]
    assert _csv(client.get(f"{EXPORTS}/requests.csv?sla=breached", headers=headers)) == []
    bad = client.get(f"{EXPORTS}/requests.csv?status=nonsense", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"] == "validation_failed"
    assert client.get("/api/v1/orgs/nowhere/exports/requests.csv").status_code == 404


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(client, city):
    rows = _csv(client.get(f"{EXPORTS}/requests.csv?status=closed", headers=bearer(city.staff)))
    assert rows[0]["description"] == "'=HYPERLINK(\"http://x\")"


def test_geojson_is_a_feature_collection_of_the_same_requests(client, city):
    response = client.get(f"{EXPORTS}/requests.geojson?category={city.pothole.id},{city.graffiti.id}",
                          headers=bearer(city.staff))
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    document = json.loads(response.get_data(as_text=True))
    assert document["type"] == "FeatureCollection"
    features = {f["properties"]["public_id"]: f for f in document["features"]}
    assert set(features) == {city.first.public_id, city.second.public_id}
    assert shape(features[city.first.public_id]["geometry"]).equals(Point(-89.651, 39.781))
    assert features[city.second.public_id]["properties"]["status"] == "closed"
    assert features[city.first.public_id]["properties"]["reporter_email"] == "ann@example.org"
    empty = json.loads(client.get(f"{EXPORTS}/requests.geojson?q=nothing-like-this").get_data(as_text=True))
    assert empty == {"type": "FeatureCollection", "features": []}


def _bulk(city, count: int, tag: str) -> None:
    db.session.execute(text("""
        INSERT INTO service_requests (public_id, organization_id, category_id, location, address, description,
                                      status, source)
        SELECT :tag || g, :org, :category, ST_SetSRID(ST_MakePoint(:lng, :lat), 4326), g || ' Long Street',
               'Bulk request number ' || g || ' with a description long enough to weigh something', 'open', 'web'
        FROM generate_series(1, :count) g"""), {"org": city.org.id, "category": city.pothole.id, "tag": tag,
                                                 "count": count, "lng": CENTRE[0], "lat": CENTRE[1]})
    db.session.commit()


def _export_measured(client, city) -> tuple[int, int, int]:
    """Bytes and lines of the staff CSV export, and the peak of Python memory while reading it."""
    response = client.get(f"{EXPORTS}/requests.csv", headers=bearer(city.staff))
    assert response.is_streamed
    tracemalloc.start()
    try:
        size = lines = 0
        for chunk in response.response:
            size += len(chunk)
            lines += chunk.count(b"\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return size, lines, peak


def test_a_large_export_streams_without_holding_the_rows(client, city):
    """Three times the rows, about the same memory: the rows pass through, they are not collected."""
    _bulk(city, 20_000, "small")
    small_size, small_lines, small_peak = _export_measured(client, city)
    _bulk(city, 40_000, "large")
    size, lines, peak = _export_measured(client, city)
    assert (small_lines, lines) == (1 + 2 + 20_000, 1 + 2 + 60_000)  # header, the fixture's two, the bulk
    assert size > 2.8 * small_size and size > 8_000_000
    assert peak < 1.3 * small_peak, (small_peak, peak)
    assert peak < size, (peak, size)  # holding the export (or its rows) would take more than its bytes
