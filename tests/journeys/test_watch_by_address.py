"""Keyboard only: a resident watches the streets around their address (no map, no mouse), and a
request filed there reaches them: by email (through the real worker and SMTP) and in the app."""

from __future__ import annotations

import math
import re

import pytest
from geoalchemy2.shape import to_shape
from playwright.sync_api import expect

from app.extensions import db
from app.requests import service as requests_service
from app.watch.models import WatchArea
from geo.validation import geodesic_area_m2
from tests.addresses.support import SPRINGFIELD_ROWS, import_rows
from tests.factories import UserFactory
from tests.journeys.city import build_city
from tests.journeys.helpers import click_link
from tests.portal.browser.axe import assert_accessible
from tests.portal.browser.keyboard import focused, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

MAIN_STREET = (39.7801, -89.6501)  # 123 Main Street in SPRINGFIELD_ROWS
METRES_PER_DEGREE_LAT = 111_030  # at 39.78 N


def test_a_watch_area_chosen_by_address_with_the_keyboard_alerts_its_owner(journey, tmp_path):
    city = build_city()
    import_rows(tmp_path, SPRINGFIELD_ROWS)
    wendy = UserFactory(email="wendy@example.org", name="Wendy Watcher")
    bob = UserFactory(email="bob@example.org", name="Bob Neighbour")
    page = journey.person("wendy")

    page.goto("/login")
    if not focused(page).startswith("input#email"):
        tab_to(page, lambda f: f.startswith("input#email"))
    page.keyboard.type(wendy.email)
    page.keyboard.press("Tab")
    page.keyboard.type(city.password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)

    tab_to(page, lambda f: f.endswith("|Watch areas"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/watch-areas/")
    tab_to(page, lambda f: f.endswith("|New watch area"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/watch-areas/new")
    expect(page.locator("#watch-map.leaflet-container")).to_be_attached()  # the page's script has run

    tab_to(page, lambda f: f.startswith("input#name"))
    page.keyboard.type("Around home")
    tab_to(page, lambda f: f.startswith("input#address"))
    page.keyboard.type("123 mai")
    expect(page.get_by_role("button", name="123 Main Street, Springfield 62701")).to_be_visible()
    page.keyboard.press("Tab")
    assert focused(page) == "button#|123 Main Street, Springfield 62701"
    page.keyboard.press("Enter")
    expect(page.get_by_label("Address", exact=True)).to_have_value("123 Main Street, Springfield 62701")
    assert focused(page).startswith("input#address")  # focus stays where the resident was working
    page.keyboard.press("Tab")
    assert focused(page).startswith("select#radius_m")
    page.keyboard.press("ArrowDown")  # 250 m, the default, to 500 m
    expect(page.get_by_label("How far around it")).to_have_value("500")
    expect(page.locator("#watch-map path.watch-area")).to_have_count(1)  # the circle, shown on the map
    assert_accessible(page, "watch area by address, filled in by keyboard")
    tab_to(page, lambda f: f.endswith("|Save the area"))
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Your watch area “Around home” is saved")

    area = db.session.query(WatchArea).one()
    assert (area.name, area.owner_id) == ("Around home", wendy.id)
    assert geodesic_area_m2(to_shape(area.geom)) == pytest.approx(math.pi * 500 ** 2, rel=0.01)
    facts = page.locator("#area-facts")  # the map's text alternative
    expect(facts).to_contain_text("123 Main Street, Springfield 62701")
    expect(facts).to_contain_text("0.78 km²")
    assert_accessible(page, "watch area page")

    lat, lng = MAIN_STREET
    inside = requests_service.submit(bob, category_id=city.pothole.id, lat=lat + 400 / METRES_PER_DEGREE_LAT,
                                     lng=lng, answers={"depth": 9}, description="Sinkhole 400 m up the road",
                                     address="North of Main Street")
    alert = journey.mail_to(wendy.email, inside.public_id)
    journey.open_mail(page, alert, "wendy")
    click_link(page, "See the request")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sinkhole 400 m up the road")

    page.goto("/notifications")
    expect(page.locator("main")).to_contain_text(re.compile(r"Sinkhole 400 m up the road|" + inside.public_id))
