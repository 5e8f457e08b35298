"""GeoJSON polygons in: every way a geometry can be wrong is named, with its place."""

import math

import pytest
from geoalchemy2 import Geography
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Polygon, box, shape
from sqlalchemy import cast, func, select, text

from geo.problems import GeometryProblem
from geo.validation import GeometryLimits, geodesic_area_m2, polygon_from_geojson

LIMITS = GeometryLimits(max_vertices=5000, max_area_m2=1e9)
SQUARE = [[-89.66, 39.77], [-89.64, 39.77], [-89.64, 39.79], [-89.66, 39.79], [-89.66, 39.77]]
BOWTIE = [[-89.66, 39.77], [-89.64, 39.79], [-89.64, 39.77], [-89.66, 39.79], [-89.66, 39.77]]


def polygon(*rings):
    return {"type": "Polygon", "coordinates": list(rings)}


def problem_of(geojson, limits=LIMITS, **kwargs) -> GeometryProblem:
    with pytest.raises(GeometryProblem) as caught:
        polygon_from_geojson(geojson, limits, **kwargs)
    problem = caught.value
    assert problem.status == 422
    assert problem.details["problem"] == problem.problem
    assert problem.details["json"]["geometry"] == [problem.text]
    return problem


def test_polygon_becomes_a_multipolygon():
    result = polygon_from_geojson(polygon(SQUARE), LIMITS)
    assert isinstance(result, MultiPolygon)
    assert result.equals(MultiPolygon([box(-89.66, 39.77, -89.64, 39.79)]))


def test_multipolygon_feature_and_one_feature_collection_are_accepted():
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[x + 0.1, y] for x, y in SQUARE]]]}
    feature = {"type": "Feature", "properties": {"name": "home"}, "geometry": multi}
    collection = {"type": "FeatureCollection", "features": [feature]}
    for geojson in (multi, feature, collection):
        result = polygon_from_geojson(geojson, LIMITS)
        assert len(result.geoms) == 2
        assert result.equals(shape(multi))


def test_altitude_is_dropped():
    result = polygon_from_geojson(polygon([[x, y, 180.0] for x, y in SQUARE]), LIMITS)
    assert not result.has_z


@pytest.mark.parametrize(("geojson", "problem"), [
    ([1, 2], "not_geojson"),
    ({"type": "Polygonz", "coordinates": [SQUARE]}, "not_geojson"),
    ({"type": "Point", "coordinates": [-89.65, 39.78]}, "unsupported_type"),
    ({"type": "LineString", "coordinates": SQUARE}, "unsupported_type"),
    ({"type": "FeatureCollection", "features": []}, "feature_count"),
    ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": polygon(SQUARE)}, {"type": "Feature", "geometry": polygon(SQUARE)}]},
     "feature_count"),
    ({"type": "FeatureCollection"}, "feature_count"),
    ({"type": "FeatureCollection", "features": [polygon(SQUARE)]}, "not_geojson"),
    ({"type": "Feature", "geometry": {"type": "Feature", "geometry": polygon(SQUARE)}}, "not_geojson"),
    ({"type": "Feature", "geometry": None}, "empty_geometry"),
    ({"type": "Feature", "geometry": [1]}, "not_geojson"),
    ({"type": "Polygon", "coordinates": []}, "empty_geometry"),
    ({"type": "MultiPolygon", "coordinates": []}, "empty_geometry"),
    ({"type": "Polygon", "coordinates": [SQUARE],
      "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}, "unsupported_crs"),
    ({"type": "Polygon", "coordinates": "[[...]]"}, "malformed_coordinates"),
    (polygon([[-89.66], *SQUARE[1:]]), "malformed_coordinates"),
    (polygon([["-89.66", "39.77"], *SQUARE[1:]]), "malformed_coordinates"),
    (polygon([[True, False], *SQUARE[1:]]), "malformed_coordinates"),
])
def test_what_is_not_a_polygon_is_named(geojson, problem):
    assert problem_of(geojson).problem == problem


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_coordinates_are_rejected_with_their_position(bad):
    ring = [list(p) for p in SQUARE]
    ring[2][1] = bad
    problem = problem_of(polygon(ring))
    assert problem.problem == "non_finite_coordinate"
    assert problem.path == "coordinates[0][2]"


@pytest.mark.parametrize(("position", "word"), [([190.0, 39.78], "longitude"), ([-89.65, 95.0], "latitude")])
def test_coordinates_out_of_range_are_rejected(position, word):
    ring = [list(p) for p in SQUARE]
    ring[1] = position
    problem = problem_of(polygon(ring))
    assert problem.problem == "coordinate_out_of_range"
    assert word in problem.text and problem.path == "coordinates[0][1]"


def test_an_open_ring_is_rejected_where_it_ends():
    problem = problem_of(polygon(SQUARE[:-1] + [[-89.66, 39.7801]]))
    assert problem.problem == "ring_not_closed"
    assert problem.location == (-89.66, 39.7801)


def test_a_ring_needs_four_positions():
    triangle = [[-89.66, 39.77], [-89.64, 39.77], [-89.66, 39.77]]
    problem = problem_of(polygon(SQUARE, triangle))
    assert problem.problem == "ring_too_short"
    assert problem.path == "coordinates[1]"


def test_vertex_limit_counts_every_position():
    limits = GeometryLimits(max_vertices=9, max_area_m2=1e9)
    hole = [[-89.655, 39.775], [-89.645, 39.775], [-89.645, 39.785], [-89.655, 39.775]]
    assert polygon_from_geojson(polygon(SQUARE, hole), limits)  # 5 + 4 = 9
    problem = problem_of(polygon(SQUARE, SQUARE[:1] + [[-89.645, 39.775]] + SQUARE[1:]), limits)
    assert problem.problem == "too_many_vertices"
    assert "9" in problem.text


def test_area_is_limited_in_square_metres_not_degrees():
    # The same 0.25° x 0.25° square is 769 km² at the equator but 264 km² at 70° N.
    def square_at(lat):
        return polygon([[10, lat], [10.25, lat], [10.25, lat + 0.25], [10, lat + 0.25], [10, lat]])

    limits = GeometryLimits(max_vertices=5000, max_area_m2=500e6)
    assert polygon_from_geojson(square_at(70.0), limits)
    problem = problem_of(square_at(0.0), limits)
    assert problem.problem == "area_too_large"
    assert "km²" in problem.text


def test_geodesic_area_agrees_with_postgis_geography(db):
    shapes = [box(-89.66, 39.77, -89.64, 39.79), box(10, 70, 10.5, 70.5), box(-0.5, -0.5, 0.5, 0.5),
              box(150, -35, 151, -33.5),
              Polygon([(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)], [[(0.2, 0.2), (0.4, 0.2), (0.4, 0.4), (0.2, 0.2)]])]
    for geometry in shapes:
        postgis = db.session.scalar(select(func.ST_Area(cast(from_shape(geometry, srid=4326), Geography))))
        assert geodesic_area_m2(geometry) == pytest.approx(postgis, rel=0.001)


def test_self_intersection_is_reported_as_postgis_reports_it(db):
    problem = problem_of(polygon(BOWTIE))
    postgis = db.session.scalar(
        text("SELECT ST_IsValidReason(ST_GeomFromText(:wkt, 4326))"),
        {"wkt": "MULTIPOLYGON(((-89.66 39.77, -89.64 39.79, -89.64 39.77, -89.66 39.79, -89.66 39.77)))"})
    assert problem.problem == "self_intersection"
    assert problem.reason == postgis
    assert problem.location == pytest.approx((-89.65, 39.78))
    assert problem.details["location"] == pytest.approx([-89.65, 39.78])
    assert "repair" in problem.text


@pytest.mark.parametrize(("geojson", "code"), [
    (polygon([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], [[2, 2], [3, 2], [3, 3], [2, 3], [2, 2]]),
     "hole_outside_shell"),
    (polygon([[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]],
             [[1.5, 1.5], [2.5, 1.5], [2.5, 2.5], [1.5, 2.5], [1.5, 1.5]]), "nested_holes"),
    (polygon([[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[2, 0], [4, 2], [2, 4], [0, 2], [2, 0]]),
     "interior_disconnected"),
    (polygon([[0, 0], [4, 0], [4, 4], [2, 4], [2, 2], [3, 3], [3, 2], [2, 2], [2, 4], [0, 4], [0, 0]]),
     "ring_self_intersection"),
    ({"type": "MultiPolygon", "coordinates": [[[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]],
                                              [[[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]]]}, "self_intersection"),
    (polygon([[0, 0], [0, 0], [0, 0], [0, 0]]), "too_few_points"),
])
def test_every_invalid_topology_names_its_reason_and_place(geojson, code):
    problem = problem_of(geojson)
    assert problem.problem == code
    assert problem.reason and problem.reason in problem.text
    assert problem.location is not None


def test_repair_only_when_asked():
    assert problem_of(polygon(BOWTIE)).problem == "self_intersection"
    repaired = polygon_from_geojson(polygon(BOWTIE), LIMITS, repair=True)
    assert repaired.is_valid
    assert len(repaired.geoms) == 2  # the two triangles of the bow tie
    assert repaired.area == pytest.approx(0.02 * 0.02 / 2)


def test_repair_that_leaves_no_area_is_rejected():
    line_drawn_as_ring = polygon([[0, 0], [1, 1], [2, 2], [0, 0]])
    problem = problem_of(line_drawn_as_ring, repair=True)
    assert problem.problem == "repair_failed"


def test_limits_apply_to_the_repaired_geometry():
    problem = problem_of(polygon(BOWTIE), GeometryLimits(max_vertices=5, max_area_m2=1e9), repair=True)
    assert problem.problem == "too_many_vertices"


def test_problem_can_be_named_for_another_field():
    with pytest.raises(GeometryProblem) as caught:
        polygon_from_geojson(polygon(BOWTIE), LIMITS, field="boundary")
    assert set(caught.value.details["json"]) == {"boundary"}
    assert caught.value.message.startswith("Invalid boundary:")
