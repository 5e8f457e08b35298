"""Listing requests: each filter CONTRACT.md names, pagination, and the staff queue."""

from __future__ import annotations

from datetime import timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from app.db_types import utcnow
from app.extensions import db
from tests.requests.city import LAT, LNG, build_city


def _ids(client, query: str = "", headers=None, base: str = "/api/v1/requests") -> list[int]:
    response = client.get(f"{base}?{query}", headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def _at(lng: float, lat: float):
    return from_shape(Point(lng, lat), srid=4326)


def test_filters(client):
    city = build_city()
    near = city.request  # at the centre, open, pothole, reported by A
    # ~550 m east of the centre, closed graffiti assigned to staff, updated long ago
    east = city.new_request(category=city.other_category, location=_at(LNG + 0.0065, LAT), status="closed",
                            assignee=city.staff, description="Tag on the bridge", address="9 Canal Road")
    far = city.new_request(location=_at(LNG + 0.05, LAT + 0.05), reporter=city.resident_b,
                           description="Sunken drain cover")
    old = utcnow() - timedelta(days=30)
    east.updated_at = old
    db.session.commit()

    assert set(_ids(client)) == {near.id, east.id, far.id}
    assert _ids(client, "status=closed") == [east.id]
    assert set(_ids(client, "status=open,closed")) == {near.id, east.id, far.id}
    assert _ids(client, f"category={city.other_category.id}") == [east.id]
    assert set(_ids(client, f"bbox={LNG - 0.01},{LAT - 0.01},{LNG + 0.01},{LAT + 0.01}")) == {near.id, east.id}
    assert _ids(client, f"lat={LAT}&lng={LNG}&radius_m=300") == [near.id]
    assert set(_ids(client, f"lat={LAT}&lng={LNG}&radius_m=800")) == {near.id, east.id}
    assert set(_ids(client, f"updated_after={(old + timedelta(days=1)).isoformat().replace('+00:00', 'Z')}")) == {
        near.id, far.id}
    assert _ids(client, f"assigned_to={city.staff.id}") == [east.id]
    assert _ids(client, "q=BRIDGE") == [east.id]
    assert _ids(client, "q=canal") == [east.id]
    assert _ids(client, "q=100%25") == []  # LIKE wildcards are literal
    assert set(_ids(client, "mine=true", headers=city.headers("resident_a"))) == {near.id, east.id}
    assert client.get("/api/v1/requests?mine=true").status_code == 401


def test_pagination_and_order(client):
    city = build_city()
    for n in range(4):
        city.new_request(description=f"Request {n}")
    page = client.get("/api/v1/requests?per_page=2&page=2").get_json()
    assert page["total"] == 5 and page["page"] == 2 and page["per_page"] == 2
    everything = _ids(client, "per_page=100")
    assert everything[2:4] == [item["id"] for item in page["items"]]
    assert everything == sorted(everything, reverse=True)  # newest change first


def test_the_staff_queue_is_the_organizations_own_with_staff_fields(client):
    city = build_city()
    city.new_request(category=city.neighbour_category, organization=city.other_org,
                     location=_at(LNG + 0.14, LAT))
    queue = client.get("/api/v1/orgs/springfield/requests", headers=city.headers("staff")).get_json()
    assert [item["id"] for item in queue["items"]] == [city.request.id]
    assert queue["items"][0]["reporter"]["email"] == "ann@example.org"
    assert "sla_due_at" in queue["items"][0]
    assert client.get("/api/v1/orgs/nowhere/requests", headers=city.headers("staff")).status_code == 404
