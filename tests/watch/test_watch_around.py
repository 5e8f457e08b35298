"""A watch area chosen by an address (or a point) and a radius instead of drawn: the circle, and the API."""

from __future__ import annotations

import math

import pytest
from geoalchemy2 import Geography, Geometry
from geoalchemy2.shape import to_shape
from shapely.geometry import shape
from sqlalchemy import cast, func, select

from app.events.models import Event
from app.extensions import db
from app.watch import around
from app.watch.lookup import subscriber_ids_at
from app.watch.models import WatchArea
from geo.spatial import point
from geo.validation import geodesic_area_m2
from tests.addresses.support import SPRINGFIELD_ROWS, import_rows
from tests.factories import CENTRE, OrganizationFactory, UserFactory
from tests.support.auth import bearer

URL = "/api/v1/watch-areas"
LNG, LAT = CENTRE  # the demo city's latitude, 39.78 N
MAIN_STREET = (-89.6501, 39.7801)  # 123 Main Street in SPRINGFIELD_ROWS
BEARINGS = range(0, 360, 15)


def _circle(radius_m: float, lng: float = LNG, lat: float = LAT):
    return shape(around.circle_geometry(around.Place(lat=lat, lng=lng), radius_m))


def _covers(geometry, lng: float, lat: float, metres: float, bearing: float) -> bool:
    """Does `geometry` cover the point `metres` from (lng, lat) along `bearing` (PostGIS's geodesic ST_Project)?"""
    projected = func.ST_Project(cast(point(lng, lat), Geography), metres, math.radians(bearing))
    return db.session.scalar(select(func.ST_Covers(
        func.ST_GeomFromText(geometry.wkt, 4326), cast(projected, Geometry))))


@pytest.mark.parametrize("radius_m", [100, 250, 1000])
def test_the_circle_encloses_pi_r_squared_square_metres(db, radius_m):
    circle = _circle(radius_m)
    expected = math.pi * radius_m ** 2
    assert geodesic_area_m2(circle) == pytest.approx(expected, rel=0.01)
    measured = db.session.scalar(select(func.ST_Area(cast(func.ST_GeomFromText(circle.wkt, 4326), Geography))))
    assert measured == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("radius_m", [100, 500])
def test_ten_metres_inside_the_radius_is_in_and_ten_metres_beyond_is_out_in_every_direction(db, radius_m):
    circle = _circle(radius_m)
    inside = [bearing for bearing in BEARINGS if _covers(circle, LNG, LAT, radius_m - 10, bearing)]
    outside = [bearing for bearing in BEARINGS if not _covers(circle, LNG, LAT, radius_m + 10, bearing)]
    assert inside == list(BEARINGS)  # a circle in degrees would be squashed east-west and miss some
    assert outside == list(BEARINGS)


def test_the_circle_is_round_on_the_ground_not_in_degrees(db):
    west, south, east, north = _circle(1000).bounds
    metres_per_degree_lat = 111_030  # at 39.78 N
    metres_per_degree_lng = 85_390
    assert (north - south) * metres_per_degree_lat == pytest.approx(2000, rel=0.01)
    assert (east - west) * metres_per_degree_lng == pytest.approx(2000, rel=0.01)


# The API


def _post(client, user, **body):
    return client.post(URL, json={"name": "Around home", **body}, headers=bearer(user))


def _problem(response, field: str, code: str = "validation_failed") -> str:
    body = response.get_json()
    assert response.status_code == 422, body
    assert set(body) == {"error", "message", "details"} and body["error"] == code
    assert list(body["details"]["json"]) == [field], body
    return body["message"]


def test_an_area_by_address_is_stored_as_a_drawn_one_and_alerts_its_owner(client, db, tmp_path):
    OrganizationFactory(slug="springfield")
    import_rows(tmp_path, SPRINGFIELD_ROWS)
    owner = UserFactory()
    response = _post(client, owner, address="123 Main Street, Springfield", radius_m=250)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["geometry"]["type"] == "MultiPolygon"  # what a drawn polygon is stored as
    stored = to_shape(db.session.get(WatchArea, created["id"]).geom)
    assert geodesic_area_m2(stored) == pytest.approx(math.pi * 250 ** 2, rel=0.01)
    assert stored.centroid.distance(shape({"type": "Point", "coordinates": MAIN_STREET})) < 1e-6
    [event] = db.session.scalars(select(Event).where(Event.kind == "watch_area.created"))
    assert event.payload == {"watch_area_id": created["id"]}
    lng, lat = MAIN_STREET
    assert owner.id in subscriber_ids_at(lng, lat + 200 / 111_030, None)  # 200 m north: inside
    assert owner.id not in subscriber_ids_at(lng, lat + 300 / 111_030, None)  # 300 m north: outside


def test_an_area_by_lat_and_lng(client, db):
    response = _post(client, UserFactory(), lat=LAT, lng=LNG, radius_m=100)
    assert response.status_code == 201, response.get_json()
    area = shape(response.get_json()["geometry"])
    assert area.contains(shape({"type": "Point", "coordinates": [LNG, LAT]}))
    assert geodesic_area_m2(area) == pytest.approx(math.pi * 100 ** 2, rel=0.01)


def test_patch_moves_an_area_around_a_new_address(client, db, tmp_path):
    OrganizationFactory(slug="springfield")
    import_rows(tmp_path, SPRINGFIELD_ROWS)
    owner = UserFactory()
    created = _post(client, owner, lat=LAT, lng=LNG, radius_m=100).get_json()
    response = client.patch(f"{URL}/{created['id']}", json={"address": "450 North Avenue", "radius_m": 500},
                            headers=bearer(owner))
    assert response.status_code == 200, response.get_json()
    moved = shape(response.get_json()["geometry"])
    assert moved.contains(shape({"type": "Point", "coordinates": [-89.63, 39.765]}))
    assert not moved.contains(shape({"type": "Point", "coordinates": [LNG, LAT]}))
    [event] = db.session.scalars(select(Event).where(Event.kind == "watch_area.updated"))
    assert event.payload["changed"] == ["geometry"]


def test_an_unknown_address_is_a_422_saying_so(client, db, tmp_path):
    OrganizationFactory(slug="springfield")
    import_rows(tmp_path, SPRINGFIELD_ROWS)
    response = _post(client, UserFactory(), address="999 Nowhere Lane", radius_m=250)
    message = _problem(response, "address", "unknown_address")
    assert message.startswith("No address found for “999 Nowhere Lane”.")
    assert db.session.query(WatchArea).count() == 0


@pytest.mark.parametrize(("body", "field", "says"), [
    ({"address": "123 Main Street"}, "radius_m", "how far around"),
    ({"lat": LAT, "lng": LNG}, "radius_m", "how far around"),
    ({"lat": LAT, "lng": LNG, "radius_m": 10}, "radius_m", "between 50 and 5000 metres"),
    ({"lat": LAT, "lng": LNG, "radius_m": 50_000}, "radius_m", "between 50 and 5000 metres"),
    ({"lat": LAT, "lng": LNG, "radius_m": "far"}, "radius_m", "json.radius_m"),
    ({"lat": LAT, "radius_m": 250}, "lng", "lat and lng together"),
    ({"lng": LNG, "radius_m": 250}, "lat", "lat and lng together"),
    ({"lat": 95, "lng": LNG, "radius_m": 250}, "lat", "json.lat"),
    ({"address": "123 Main Street", "lat": LAT, "lng": LNG, "radius_m": 250}, "address", "not both"),
    ({"address": "", "radius_m": 250}, "address", "json.address"),
    ({"address": "   ", "radius_m": 250}, "address", "Type an address"),
    ({"radius_m": 250}, "address", "Send an address"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[LNG, LAT], [LNG + 0.01, LAT], [LNG, LAT + 0.01],
                                                       [LNG, LAT]]]}, "address": "123 Main Street",
      "radius_m": 250}, "geometry", "not both"),
    ({}, "geometry", "Send a geometry, or an address"),
])
def test_bad_inputs_are_422s_naming_the_field(client, db, body, field, says):
    message = _problem(_post(client, UserFactory(), **body), field)
    assert says in message
    assert db.session.query(WatchArea).count() == 0
