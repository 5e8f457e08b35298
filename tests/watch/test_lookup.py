"""Who watches a place: category filter, owners and followers once each, big areas, the index."""

import math

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, Polygon
from sqlalchemy import func, select, text

from app.extensions import db
from app.watch.lookup import subscriber_ids_at, watch_area_subscribers, watch_area_subscribers_at
from app.watch.models import PART_MAX_VERTICES, WatchAreaFollower, WatchAreaPart
from tests.factories import (
    CENTRE,
    CategoryFactory,
    ServiceRequestFactory,
    UserFactory,
    WatchAreaFactory,
    square,
)

pytestmark = pytest.mark.usefixtures("fresh_tables")  # their plans depend on the tables' size

LNG, LAT = CENTRE


def area(owner, lng=LNG, lat=LAT, half=0.01, **fields):
    return WatchAreaFactory(owner=owner, geom=from_shape(square(lng, lat, half), srid=4326), **fields)


def follow(area_row, user):
    db.session.add(WatchAreaFollower(watch_area_id=area_row.id, user_id=user.id))
    db.session.commit()


def subscribers_of(request) -> list[int]:
    return sorted(db.session.scalars(watch_area_subscribers(request.id)))


def request_at(lng, lat, category=None):
    fields = {"category": category} if category is not None else {}
    return ServiceRequestFactory(location=from_shape(Point(lng, lat), srid=4326), **fields)


def test_category_filter_admits_only_its_categories():
    pothole, graffiti = CategoryFactory(), CategoryFactory()
    every, potholes_only = UserFactory(), UserFactory()
    area(every)
    area(potholes_only, category_ids=[pothole.id])
    assert subscribers_of(request_at(LNG, LAT, pothole)) == sorted([every.id, potholes_only.id])
    assert subscribers_of(request_at(LNG, LAT, graffiti)) == [every.id]
    assert sorted(subscriber_ids_at(LNG, LAT, pothole.id)) == sorted([every.id, potholes_only.id])
    assert sorted(db.session.scalars(watch_area_subscribers_at(LNG, LAT, pothole.id))) == sorted(
        [every.id, potholes_only.id])
    assert sorted(subscriber_ids_at(LNG, LAT, graffiti.id)) == [every.id]
    assert sorted(subscriber_ids_at(LNG, LAT, None)) == [every.id]


def test_owners_and_followers_are_each_listed_once():
    ann, bob, cat = UserFactory(), UserFactory(), UserFactory()
    anns = area(ann, public=True)
    area(ann, half=0.02)                   # a second area of Ann's over the same place
    bobs = area(bob, half=0.005, public=True)
    follow(bobs, ann)                      # Ann also follows Bob's
    follow(anns, bob)                      # and Bob follows Ann's
    follow(anns, cat)
    follow(bobs, cat)                      # Cat follows both
    subscribers = subscribers_of(request_at(LNG, LAT))
    assert subscribers == sorted([ann.id, bob.id, cat.id])
    # Outside Bob's small square but inside Ann's: Bob hears as Ann's follower, still once.
    assert subscribers_of(request_at(LNG + 0.008, LAT)) == sorted([ann.id, bob.id, cat.id])
    # Only Ann's big square reaches here; nobody follows it.
    assert subscribers_of(request_at(LNG + 0.015, LAT)) == [ann.id]
    assert subscribers_of(request_at(LNG + 0.5, LAT)) == []


def test_the_lookup_is_one_selectable_of_user_id():
    ann = UserFactory()
    area(ann)
    request = request_at(LNG, LAT)
    for statement in (watch_area_subscribers(request.id), watch_area_subscribers_at(LNG, LAT, None)):
        subquery = statement.subquery()
        assert list(subquery.c.keys()) == ["user_id"]
        assert list(db.session.scalars(select(subquery.c.user_id))) == [ann.id]


def test_a_point_on_the_edge_is_inside():
    ann = UserFactory()
    area(ann)
    assert subscriber_ids_at(LNG + 0.01, LAT, None) == [ann.id]
    assert subscriber_ids_at(LNG + 0.0101, LAT, None) == []


def crescent(vertices: int) -> Polygon:
    """A big C open to the east: its bounding box holds the centre, the shape does not."""
    outer, inner = 0.05, 0.03
    angles = [math.radians(30 + 300 * i / (vertices // 2 - 1)) for i in range(vertices // 2)]
    ring = [(LNG + outer * math.cos(a), LAT + outer * math.sin(a)) for a in angles]
    ring += [(LNG + inner * math.cos(a), LAT + inner * math.sin(a)) for a in reversed(angles)]
    return Polygon(ring + ring[:1])


def test_large_areas_are_cut_into_small_parts_that_answer_exactly():
    ann = UserFactory()
    shape = crescent(4000)
    big = WatchAreaFactory(owner=ann, geom=from_shape(MultiPolygon([shape]), srid=4326))
    parts = db.session.scalars(select(func.ST_NPoints(WatchAreaPart.geom)).where(
        WatchAreaPart.watch_area_id == big.id)).all()
    assert len(parts) > 4000 / PART_MAX_VERTICES
    assert max(parts) <= PART_MAX_VERTICES
    union = db.session.scalar(select(func.ST_Union(WatchAreaPart.geom)).where(WatchAreaPart.watch_area_id == big.id))
    assert db.session.scalar(select(func.ST_Area(func.ST_SymDifference(union, from_shape(shape, srid=4326))))) < 1e-12
    assert subscriber_ids_at(LNG, LAT, None) == []                # in the C's mouth
    assert subscriber_ids_at(LNG - 0.04, LAT, None) == [ann.id]   # in its body
    assert subscriber_ids_at(LNG + 0.04, LAT + 0.001, None) == []  # in the opening


def load_many_areas(count: int, owner_id: int) -> None:
    """Enough small areas for the planner to prefer an index, inserted in one statement."""
    db.session.execute(text(
        "INSERT INTO watch_areas (owner_id, name, geom, category_ids) "
        "SELECT :owner, 'area ' || g, ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint("
        "  -89.9 + (g % 60) * 0.01, 39.5 + (g / 60) * 0.01), 4326), 0.004, 8)), '{}' "
        "FROM generate_series(1, :count) AS g"), {"owner": owner_id, "count": count})
    db.session.commit()
    db.session.execute(text("ANALYZE watch_area_parts"))
    db.session.execute(text("ANALYZE watch_area_followers"))


def plan_of(statement) -> dict:
    compiled = statement.compile(dialect=db.engine.dialect)
    sql = "EXPLAIN (ANALYZE off, FORMAT JSON) " + str(compiled)
    return db.session.connection().exec_driver_sql(sql, compiled.params).scalar()[0]["Plan"]


def indexes_used(node: dict) -> set[str]:
    found = {node["Index Name"]} if "Index Name" in node else set()
    for child in node.get("Plans", []):
        found |= indexes_used(child)
    return found


def test_explain_shows_the_gist_index_on_parts_is_used():
    owner = UserFactory()
    load_many_areas(3000, owner.id)
    request = request_at(LNG, LAT)
    assert db.session.scalar(select(func.count()).select_from(WatchAreaPart)) >= 3000
    for statement in (watch_area_subscribers_at(LNG, LAT, 7), watch_area_subscribers(request.id)):
        assert "ix_watch_area_parts_geom" in indexes_used(plan_of(statement))
