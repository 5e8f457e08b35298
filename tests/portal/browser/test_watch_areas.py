"""A resident draws a watch area on the map with the drawing tools; it is saved as drawn."""

from __future__ import annotations

import re

from geoalchemy2.shape import to_shape
from playwright.sync_api import expect

from app.watch.models import WatchArea
from tests.factories import PASSWORD, CategoryFactory, OrganizationFactory, UserFactory
from tests.portal.browser.conftest import log_in, screenshot


def test_a_resident_draws_a_watch_area(page, db):
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    CategoryFactory(organization=org, name="Pothole")
    resident = UserFactory(email="wendy@example.org")
    log_in(page, resident.email, PASSWORD)
    page.get_by_role("link", name="Watch areas").click()
    page.get_by_role("link", name="New watch area").click()
    page.get_by_label("Name").fill("Around home")

    page.locator(".leaflet-pm-icon-polygon").click()
    box = page.locator("#watch-map").bounding_box()
    corners = [(0.35, 0.35), (0.65, 0.35), (0.65, 0.65), (0.35, 0.65)]
    for fx, fy in corners + corners[:1]:  # clicking the first corner again closes the outline
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    expect(page.locator("#watch-map path.watch-area")).to_have_count(1)
    expect(page.get_by_label("The area's corners")).to_have_value(
        re.compile(r'^\{"type":"Polygon","coordinates":\[\[\['))
    page.get_by_label("Public: others may see and follow it").check()
    screenshot(page, "watch-area-draw")
    page.get_by_role("button", name="Save the area").click()

    expect(page.locator(".flash")).to_contain_text("Your watch area “Around home” is saved")
    expect(page.locator("#watch-map path.watch-area")).to_have_count(1)
    screenshot(page, "watch-area")
    area = db.session.query(WatchArea).one()
    assert (area.name, area.public, area.owner_id) == ("Around home", True, resident.id)
    drawn = to_shape(area.geom)
    assert drawn.is_valid and len(drawn.geoms) == 1 and len(drawn.geoms[0].exterior.coords) == 5
    assert drawn.contains(to_shape(org.boundary).centroid)  # drawn around the middle of the map

    page.get_by_role("link", name="← Watch areas").click()
    expect(page.get_by_role("region", name="Mine")).to_contain_text("Around home")


def test_typed_corners_draw_the_area_too(page, db):
    OrganizationFactory(slug="springfield")
    log_in(page, UserFactory().email, PASSWORD)
    page.goto("/watch-areas/new")
    page.get_by_label("Name").fill("Typed")
    page.get_by_label("The area's corners").fill("39.77, -89.66\n39.77, -89.64\n39.79, -89.64\n39.79, -89.66")
    page.get_by_label("The area's corners").press("Tab")
    expect(page.locator("#watch-map path.watch-area")).to_have_count(1)
    page.get_by_role("button", name="Save the area").click()
    expect(page.locator(".flash")).to_contain_text("is saved")
    area = db.session.query(WatchArea).one()
    assert to_shape(area.geom).bounds == (-89.66, 39.77, -89.64, 39.79)
