"""Residents' journeys: from the email in their mailbox to the page it links to."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.requests import service as requests_service
from app.requests.models import ServiceRequest
from tests.factories import UserFactory
from tests.journeys.city import LAT, LNG, build_city
from tests.journeys.helpers import click_link, log_in
from tests.requests.city import PNG

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

NEWCOMER = "nora.newcomer@example.org"
NEW_PASSWORD = "a long new password 42"


def test_newcomer_registers_confirms_reports_and_opens_the_receipt(journey, tmp_path, upload_dir):
    build_city()
    nora = journey.person("nora")
    nora.goto("/register")
    nora.get_by_label("Your name").fill("Nora Newcomer")
    nora.get_by_label("Email").fill(NEWCOMER)
    nora.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    nora.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    nora.get_by_role("button", name="Create the account").click()
    expect(nora.locator(".flash, main")).to_contain_text("confirm")

    confirmation = journey.mail_to(NEWCOMER, "confirm")
    journey.open_mail(nora, confirmation, "nora")
    click_link(nora, "confirm-email")
    nora.get_by_role("button", name="Confirm").click()  # opening a link changes nothing by itself
    expect(nora.locator(".flash")).to_contain_text(f"{NEWCOMER} is confirmed")
    log_in(nora, NEWCOMER, NEW_PASSWORD)

    nora.get_by_role("link", name="Report a problem").first.click()
    # The map answers clicks once its script has run (Leaflet marks it then); a click before is lost.
    expect(nora.locator("#report-map.leaflet-container")).to_be_attached()
    nora.locator("#report-map").click()
    expect(nora.locator("#serving")).to_have_text("Handled by City of Springfield.")
    nora.get_by_label("What is the problem?").select_option(label="Pothole")
    nora.get_by_label("How deep is it (cm)? (required)").fill("15")
    nora.get_by_label("Address or landmark").fill("Corner of 5th and Main")
    nora.get_by_label("Describe it").fill("Deep pothole in the bike lane")
    photo = tmp_path / "pothole.png"
    photo.write_bytes(PNG)
    nora.get_by_label("Photos").set_input_files(str(photo))
    nora.get_by_role("button", name="Send the report").click()
    expect(nora.locator(".flash")).to_contain_text("Your request")
    reported = db.session.query(ServiceRequest).one()
    assert reported.answers == {"depth": 15.0}

    receipt = journey.mail_to(NEWCOMER, reported.public_id)
    journey.open_mail(nora, receipt, "nora")
    click_link(nora, "See the request")
    expect(nora.get_by_role("heading", level=1)).to_contain_text("Deep pothole in the bike lane")
    photo_shown = nora.locator(".photos img")
    expect(photo_shown).to_have_count(1)
    assert photo_shown.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")  # waits for the load
    journey.shoot(nora, "nora", "request page with the photo")


def test_forgotten_password_link_works_once_and_only_the_new_password_logs_in(journey):
    city = build_city()
    rita = UserFactory(email="rita@example.org", name="Rita Resident")
    page = journey.person("rita")
    page.goto("/login")
    page.get_by_role("link", name=re.compile("Forgot", re.I)).click()
    page.get_by_label("Email").fill(rita.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.locator("main")).to_contain_text(re.compile("sent|email", re.I))

    reset = journey.mail_to(rita.email, "Reset your password")
    journey.open_mail(page, reset, "rita")
    click_link(page, "reset-password")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    expect(page.locator(".flash")).to_contain_text("Your password is set")

    # The same link a second time: refused, and the password stays the new one.
    journey.open_mail(page, reset, "rita")
    click_link(page, "reset-password")
    page.get_by_label("Password", exact=True).fill("yet another password 7")
    page.get_by_label("Repeat the password").fill("yet another password 7")
    page.get_by_role("button", name="Save the password").click()
    expect(page.locator("form")).to_contain_text(re.compile("link", re.I))
    journey.shoot(page, "rita", "reset link used twice")

    page.goto("/login")
    page.get_by_label("Email").fill(rita.email)
    page.get_by_label("Password", exact=True).fill(city.password)  # the old one
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("form")).to_contain_text(re.compile("password", re.I))
    assert "/login" in page.url
    journey.shoot(page, "rita", "old password refused")
    log_in(page, rita.email, NEW_PASSWORD)
    expect(page.get_by_role("link", name="My requests")).to_be_visible()


def test_a_follower_unsubscribes_from_an_email_and_hears_no_more(journey):
    city = build_city()
    rita = UserFactory(email="rita@example.org", name="Rita Resident")
    bob = UserFactory(email="bob@example.org", name="Bob Neighbour")
    reported = requests_service.submit(rita, category_id=city.pothole.id, lat=LAT, lng=LNG, answers={"depth": 5},
                                       description="Pothole by the bakery", address="3 Oak Street")
    page = journey.person("bob")
    log_in(page, bob.email, city.password)
    page.get_by_role("link", name="Map").click()
    page.get_by_role("link", name="Pothole by the bakery").click()
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()

    requests_service.add_comment(reported.id, city.staff, "The crew comes on Monday.", "public")
    news = journey.mail_to(bob.email, "New comment on")
    assert "The crew comes on Monday." in news.text()
    journey.open_mail(page, news, "bob")
    click_link(page, "Unsubscribe")
    buttons = page.get_by_role("button")
    expect(buttons).to_have_count(1)  # a GET changes nothing: the page has one button
    expect(buttons).to_have_text("Unsubscribe")
    journey.shoot(page, "bob", "unsubscribe page before the click")
    buttons.click()
    expect(page.locator("body")).to_contain_text("we will no longer send")

    requests_service.add_comment(reported.id, city.staff, "Patched today.", "public")
    journey.mail_to(rita.email, "New comment on", after=1)  # the reporter still hears: the mail went out
    assert not any("Patched today." in m.text() for m in journey.mails_to(bob.email))

    journey.open_mail(page, news, "bob")
    click_link(page, "Choose what you receive")
    expect(page.get_by_label("Requests I follow, By email")).not_to_be_checked()
    expect(page.get_by_label("My watch areas, By email")).to_be_checked()


def test_a_watch_area_alert_leads_to_the_new_request(journey):
    city = build_city()
    wendy = UserFactory(email="wendy@example.org", name="Wendy Watcher")
    bob = UserFactory(email="bob@example.org", name="Bob Neighbour")
    page = journey.person("wendy")
    log_in(page, wendy.email, city.password)
    page.get_by_role("link", name="Watch areas").click()
    page.get_by_role("link", name="New watch area").click()
    page.get_by_label("Name").fill("Around home")
    page.locator(".leaflet-pm-icon-polygon").click()
    box = page.locator("#watch-map").bounding_box()
    corners = [(0.35, 0.35), (0.65, 0.35), (0.65, 0.65), (0.35, 0.65)]
    for fx, fy in corners + corners[:1]:  # the first corner again closes the outline
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    expect(page.locator("#watch-map path.watch-area")).to_have_count(1)
    page.get_by_role("button", name="Save the area").click()
    expect(page.locator(".flash")).to_contain_text("is saved")

    confirmation = journey.mail_to(wendy.email, "Around home")
    journey.open_mail(page, confirmation, "wendy")
    click_link(page, "watch-areas")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Around home")
    expect(page.locator("#watch-map path.watch-area")).to_have_count(1)

    inside = requests_service.submit(bob, category_id=city.pothole.id, lat=LAT, lng=LNG, answers={"depth": 9},
                                     description="Sinkhole opening in the road", address="Town square")
    alert = journey.mail_to(wendy.email, inside.public_id)
    journey.open_mail(page, alert, "wendy")
    click_link(page, "See the request")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sinkhole opening in the road")
