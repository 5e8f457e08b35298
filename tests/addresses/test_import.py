"""`flask geo import-addresses FILE`: OpenAddresses CSV and GeoJSON into the addresses table."""

import json

from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import select

from app.addresses.models import Address
from app.extensions import db
from app.seed.demo import boundary_for, seed_demo
from tests.addresses.support import SPRINGFIELD_ROWS, csv_text, run_import


def _addresses() -> dict[str, Address]:
    db.session.expire_all()
    return {a.label: a for a in db.session.scalars(select(Address))}


def test_csv_import_stores_every_part_and_the_point(tmp_path):
    result = run_import(tmp_path, csv_text(SPRINGFIELD_ROWS))
    assert result.exit_code == 0, result.output
    assert "read 6 rows: 6 addresses added, 0 updated, 0 skipped" in result.output
    found = _addresses()
    apartment = found["1200 Elm Street, Apt 4, Springfield 62701"]
    assert (apartment.number, apartment.street, apartment.unit, apartment.city, apartment.postcode) == (
        "1200", "Elm Street", "Apt 4", "Springfield", "62701")
    assert to_shape(apartment.location).equals_exact(Point(-89.652, 39.779), 1e-9)
    assert found["7 Calle Peñasco, Springfield 62702"].search == " 7 calle penasco springfield 62702 "


def test_importing_again_adds_nothing_and_a_newer_edition_moves_corrected_points(tmp_path):
    assert run_import(tmp_path, csv_text(SPRINGFIELD_ROWS)).exit_code == 0
    again = run_import(tmp_path, csv_text(SPRINGFIELD_ROWS))
    assert "6 rows: 0 addresses added, 0 updated" in again.output
    moved = [(-89.6601, 39.7851, *SPRINGFIELD_ROWS[0][2:])]
    edition = run_import(tmp_path, csv_text(moved))
    assert "1 rows: 0 addresses added, 1 updated" in edition.output
    found = _addresses()
    assert len(found) == 6
    assert to_shape(found["123 Main Street, Springfield 62701"].location).equals_exact(
        Point(-89.6601, 39.7851), 1e-9)


def test_rows_without_number_street_or_point_are_skipped_and_counted(tmp_path):
    content = csv_text([
        (-89.65, 39.78, "", "Main Street", "", "Springfield", ""),
        (-89.65, 39.78, "5", "", "", "Springfield", ""),
        ("", 39.78, "6", "Oak St", "", "Springfield", ""),
        (-89.65, 95, "7", "Oak St", "", "Springfield", ""),
        (-89.65, 39.78, "8", "Oak St", "", "Springfield", ""),
    ])
    result = run_import(tmp_path, content)
    assert result.exit_code == 0, result.output
    assert "read 5 rows: 1 addresses added, 0 updated, 4 skipped" in result.output
    assert "skipped 2: no number or street" in result.output
    assert "skipped 2: no usable point" in result.output
    assert list(_addresses()) == ["8 Oak St, Springfield"]


def test_lowercase_headers_and_a_byte_order_mark_are_read(tmp_path):
    content = "\ufefflon,lat,number,street,unit,city,postcode\n-89.65,39.78,9,Pine St,,Springfield,62701\n"
    result = run_import(tmp_path, content)
    assert result.exit_code == 0, result.output
    assert list(_addresses()) == ["9 Pine St, Springfield 62701"]


def _feature(lng, lat, **properties):
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {"hash": "x", "id": "", "district": "", "region": "IL", **properties}}


def test_line_delimited_geojson_as_openaddresses_writes_it(tmp_path):
    lines = [_feature(-89.65, 39.78, number="1", street="Oak St", unit="", city="Springfield", postcode="62701"),
             _feature(-89.651, 39.781, number="3", street="Oak St", unit="", city="Springfield", postcode="62701"),
             {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
              "properties": {"number": "5", "street": "Oak St"}}]
    result = run_import(tmp_path, "\n".join(json.dumps(line) for line in lines) + "\n", "springfield.geojson")
    assert result.exit_code == 0, result.output
    assert "read 3 rows: 2 addresses added, 0 updated, 1 skipped" in result.output
    assert set(_addresses()) == {"1 Oak St, Springfield 62701", "3 Oak St, Springfield 62701"}


def test_a_feature_collection_is_read_whatever_the_file_is_called(tmp_path):
    collection = {"type": "FeatureCollection", "features": [
        _feature(-89.65, 39.78, NUMBER="10", STREET="Birch Rd", CITY="Springfield")]}
    result = run_import(tmp_path, json.dumps(collection, indent=2), "export.txt")
    assert result.exit_code == 0, result.output
    assert list(_addresses()) == ["10 Birch Rd, Springfield"]


def test_a_file_that_is_not_geojson_is_refused_with_its_name(tmp_path):
    result = run_import(tmp_path, '{"type": "Polygon"', "broken.geojson")
    assert result.exit_code != 0
    assert "broken.geojson" in result.output
    assert _addresses() == {}


def test_the_demo_city_ships_addresses_for_its_streets_inside_its_boundaries():
    counts = seed_demo("inbound.test")
    assert counts["addresses"] > 4000
    assert seed_demo("inbound.test")["addresses"] == counts["addresses"]
    cities = {"Springfield": boundary_for("springfield"), "Shelbyville": boundary_for("shelbyville")}
    for address in db.session.scalars(select(Address)):
        assert cities[address.city].covers(to_shape(address.location)), address.label
