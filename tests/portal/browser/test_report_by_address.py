"""Reporting by address in a real browser: suggestions while typing, and a click's address."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.requests.models import ServiceRequest
from tests.addresses.support import SPRINGFIELD_ROWS, import_rows
from tests.factories import PASSWORD, CategoryFactory, OrganizationFactory, UserFactory
from tests.portal.browser.conftest import log_in


def test_a_typed_address_places_the_pin_and_a_click_fills_the_address(page, db, tmp_path):
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    CategoryFactory(organization=org, code="pothole", name="Pothole")
    resident = UserFactory(email="rita@example.org", name="Rita Resident")
    import_rows(tmp_path, SPRINGFIELD_ROWS)

    log_in(page, resident.email, PASSWORD)
    page.goto("/report")
    address = page.get_by_label("Address or landmark")
    # A click on the map (it shows the whole service area, centred on Main Street) fills the address.
    expect(page.locator("#report-map.leaflet-container")).to_be_attached()  # its script has run
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(address).to_have_value(re.compile(r"^12[35] Main Street, Springfield 62701$"))

    # Typing offers suggestions; choosing one places the pin there.
    address.fill("")
    address.press_sequentially("1200 e", delay=30)
    suggestion = page.get_by_role("button", name="1200 Elm Street, Apt 4, Springfield 62701")
    expect(suggestion).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Main Street"))).to_have_count(0)
    suggestion.click()
    expect(address).to_have_value("1200 Elm Street, Apt 4, Springfield 62701")
    expect(page.get_by_label("Latitude")).to_have_value("39.779000")
    expect(page.get_by_label("Longitude")).to_have_value("-89.652000")
    expect(page.locator("#serving")).to_have_text("Handled by City of Springfield.")
    expect(page.locator("#address-suggestions")).to_be_hidden()

    # "Find this address" with a whole address moves the pin and the map there.
    address.fill("450 north ave")
    page.get_by_role("button", name="Find this address").click()
    expect(address).to_have_value("450 North Avenue, Springfield 62702")
    expect(page.get_by_label("Latitude")).to_have_value("39.765000")

    # A typed landmark is the resident's own words: a click never replaces it.
    address.fill("Behind the library")
    page.mouse.click(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2)
    expect(page.locator("#serving")).to_have_text("Handled by City of Springfield.")
    page.wait_for_load_state("networkidle")
    expect(address).to_have_value("Behind the library")

    page.get_by_label("What is the problem?").select_option(label="Pothole")
    page.get_by_label("Describe it").fill("Pothole by the library")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator(".flash")).to_contain_text("Your request")
    assert db.session.query(ServiceRequest).one().address == "Behind the library"
