"""The watch-area page without its script: an area around a typed address, resolved by the server."""

from __future__ import annotations

import math
import re

import pytest
from geoalchemy2.shape import to_shape
from shapely.geometry import Point

from app.watch.models import WatchArea
from geo.validation import geodesic_area_m2
from tests.addresses.support import SPRINGFIELD_ROWS, import_rows
from tests.factories import OrganizationFactory, UserFactory
from tests.portal.pages import log_in, post_form

NEW = "/watch-areas/new"
FORM = {"name": "Around home", "address": "", "radius_m": "250", "address_lat": "", "address_lng": "",
        "geometry": ""}


@pytest.fixture
def resident(db, tmp_path):
    OrganizationFactory(slug="springfield", name="City of Springfield")
    import_rows(tmp_path, SPRINGFIELD_ROWS)
    return UserFactory(email="wendy@example.org")


def _field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


def test_the_page_offers_the_address_and_the_radii(client, resident):
    log_in(client, resident)
    page = client.get(NEW).text
    assert re.search(r'<label for="address">Address</label>', page)
    options = re.findall(r'<option (?:selected )?value="(\d+)">([^<]+)</option>', page)
    assert [(value, text) for value, text in options if value in ("100", "250", "500", "1000")] == [
        ("100", "100 m"), ("250", "250 m"), ("500", "500 m"), ("1000", "1 km")]
    assert '<option selected value="250">' in page  # the default


def test_a_typed_address_is_resolved_by_the_server_and_the_circle_saved(client, resident, db):
    log_in(client, resident)
    saved = post_form(client, NEW, {**FORM, "address": "123 main street", "radius_m": "500"})
    assert saved.status_code == 302, saved.text
    area = db.session.query(WatchArea).one()
    assert (area.name, area.owner_id) == ("Around home", resident.id)
    outline = to_shape(area.geom)
    assert geodesic_area_m2(outline) == pytest.approx(math.pi * 500 ** 2, rel=0.01)
    assert outline.contains(Point(-89.6501, 39.7801))  # 123 Main Street
    assert not outline.contains(Point(-89.63, 39.765))  # 450 North Avenue, 2.6 km away

    detail = client.get(saved.headers["Location"]).text  # the map's text alternative
    assert "Your watch area “Around home” is saved" in detail
    assert re.search(r"<dt>Centre</dt>\s*<dd>123 Main Street, Springfield 62701 "
                     r'<span class="meta">\(39\.78010, -89\.65010\)</span></dd>', detail)
    assert re.search(r"<dt>Size</dt>\s*<dd>0\.78 km²</dd>", detail)
    assert 'aria-describedby="area-facts"' in detail


def test_an_unknown_address_is_said_next_to_the_field_keeping_what_was_typed(client, resident, db):
    log_in(client, resident)
    refused = post_form(client, NEW, {**FORM, "address": "999 Nowhere Lane", "radius_m": "1000"})
    assert refused.status_code == 422
    assert _field_error(refused.text, "address").startswith("No address found for “999 Nowhere Lane”.")
    assert 'value="999 Nowhere Lane"' in refused.text and 'value="Around home"' in refused.text
    assert '<option selected value="1000">' in refused.text
    assert db.session.query(WatchArea).count() == 0


def test_an_address_without_its_number_offers_the_addresses_it_may_mean(client, resident, db):
    log_in(client, resident)
    refused = post_form(client, NEW, {**FORM, "address": "main street"})
    assert refused.status_code == 422
    assert _field_error(refused.text, "address").startswith("No address found for “main street”.")
    offered = re.findall(r'<input type="radio" name="use_address" id="use-address-\d" value="([^"]+)">', refused.text)
    assert offered[:2] == ["123 Main Street, Springfield 62701", "125 Main Street, Springfield 62701"]

    chosen = post_form(client, NEW, {**FORM, "address": "main street", "use_address": offered[1]})
    assert chosen.status_code == 302, chosen.text
    outline = to_shape(db.session.query(WatchArea).one().geom)
    assert outline.centroid.distance(Point(-89.6505, 39.7801)) < 1e-6  # 125 Main Street


def test_the_point_of_a_suggestion_chosen_on_the_page_is_used_as_sent(client, resident, db):
    log_in(client, resident)
    saved = post_form(client, NEW, {**FORM, "address": "1200 Elm Street, Apt 4, Springfield 62701",
                                    "address_lat": "39.779", "address_lng": "-89.652", "radius_m": "100"})
    assert saved.status_code == 302, saved.text
    outline = to_shape(db.session.query(WatchArea).one().geom)
    assert outline.centroid.distance(Point(-89.652, 39.779)) < 1e-6
    assert geodesic_area_m2(outline) == pytest.approx(math.pi * 100 ** 2, rel=0.01)


def test_neither_an_address_nor_an_outline_says_both_ways(client, resident, db):
    log_in(client, resident)
    refused = post_form(client, NEW, FORM)
    assert refused.status_code == 422
    assert _field_error(refused.text, "geometry") == (
        "Type an address, draw the area on the map, or type its corners: one “lat, lng” per line.")


def test_changing_an_area_to_the_circle_around_an_address(client, resident, db):
    log_in(client, resident)
    post_form(client, NEW, {**FORM, "geometry": "39.77, -89.66\n39.77, -89.64\n39.79, -89.64\n39.79, -89.66"})
    area = db.session.query(WatchArea).one()
    edit = f"/watch-areas/{area.id}/edit"
    page = client.get(edit).text
    assert "The area as saved" in page and 'aria-describedby="draw-help area-facts"' in page
    changed = post_form(client, edit, {**FORM, "address": "450 North Avenue", "radius_m": "100"})
    assert changed.status_code == 302, changed.text
    db.session.refresh(area)
    assert to_shape(area.geom).contains(Point(-89.63, 39.765))
    assert geodesic_area_m2(to_shape(area.geom)) == pytest.approx(math.pi * 100 ** 2, rel=0.01)
