"""A point's coordinates read from its bytes are the ones Shapely reads, in every WKB form."""

import random

import pytest
import shapely
from geoalchemy2 import WKBElement
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, Point
from sqlalchemy import text

from app.extensions import db
from geo.wkb import point_coordinates

rng = random.Random(311)
POINTS = [(-89.65, 39.78), (0.0, 0.0), (180.0, -90.0), (-180.0, 90.0), (1e-300, -1e-300)] + [
    (rng.uniform(-180, 180), rng.uniform(-90, 90)) for _ in range(200)]


@pytest.mark.parametrize("byte_order", [0, 1], ids=["big-endian", "little-endian"])
@pytest.mark.parametrize("include_srid", [False, True], ids=["WKB", "EWKB"])
def test_a_point_in_any_byte_order_with_or_without_srid(byte_order, include_srid):
    for x, y in POINTS:
        geometry = shapely.set_srid(Point(x, y), 4326)
        data = shapely.to_wkb(geometry, byte_order=byte_order, include_srid=include_srid, flavor="extended")
        assert point_coordinates(WKBElement(data, srid=4326, extended=include_srid)) == (x, y)


def test_a_point_with_a_height_gives_its_plane_coordinates():
    data = shapely.to_wkb(Point(-89.65, 39.78, 170.0), flavor="extended")
    assert point_coordinates(WKBElement(data)) == (-89.65, 39.78)


def test_what_is_not_a_point_is_read_by_shapely():
    with pytest.raises(AttributeError):  # as before: a line has no single x
        point_coordinates(from_shape(LineString([(0, 0), (1, 1)]), srid=4326))


def test_a_point_as_postgis_stores_it(app):
    for x, y in POINTS[:20]:
        element = WKBElement(db.session.scalar(text("SELECT ST_AsEWKB(ST_SetSRID(ST_MakePoint(:x, :y), 4326))"),
                                               {"x": x, "y": y}), srid=4326, extended=True)
        assert point_coordinates(element) == (x, y)
