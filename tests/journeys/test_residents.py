"""Residents' journeys: from the email in their mailbox to the page it links to."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.requests.models import ServiceRequest
from tests.factories import UserFactory
from tests.journeys.city import build_city
from tests.journeys.helpers import click_link, log_in
from tests.requests.city import PNG

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

NEWCOMER = "nora.newcomer@example.org"
NEW_PASSWORD = "a long new password 42"


@pytest.mark.xfail(strict=True, reason="the emailed /confirm-email and /requests/<public_id> pages come with issue 12")
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
    expect(nora.locator("main")).to_contain_text(re.compile("confirmed", re.I))
    log_in(nora, NEWCOMER, NEW_PASSWORD)

    nora.get_by_role("link", name="Report a problem").first.click()
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
    assert photo_shown.evaluate("img => img.complete && img.naturalWidth > 0")
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
