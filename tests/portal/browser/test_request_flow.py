"""The main flow in a real browser: a resident reports on the map; staff find it in the queue,
acknowledge it and comment internally and publicly; the resident sees only the public comment."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.requests.models import Comment, ServiceRequest
from tests.factories import PASSWORD, CategoryFactory, OrganizationFactory, UserFactory, make_member
from tests.portal.browser.conftest import log_in, screenshot


def test_report_on_the_map_then_staff_handle_it(new_page, db):
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    CategoryFactory(organization=org, code="pothole", name="Pothole")
    CategoryFactory(organization=org, code="graffiti", name="Graffiti")
    resident = UserFactory(email="rita@example.org", name="Rita Resident")
    staff = make_member(org, "staff", email="sam@springfield.example", name="Sam Staff")

    # The resident reports by clicking the map: the point's categories appear.
    page = new_page()
    log_in(page, resident.email, PASSWORD)
    page.get_by_role("link", name="Report a problem").first.click()
    category = page.get_by_label("What is the problem?")
    expect(category.locator("option")).to_have_count(1)  # only "Choose…" before a point is chosen
    # The map answers clicks once its script has run (Leaflet marks it then); a click before is lost.
    expect(page.locator("#report-map.leaflet-container")).to_be_attached()
    page.locator("#report-map").click()
    expect(page.locator("#serving")).to_have_text("Handled by City of Springfield.")
    expect(category.locator("option")).to_have_count(3)
    expect(page.get_by_label("Latitude")).not_to_have_value("")
    category.select_option(label="Pothole")
    page.get_by_label("Address or landmark").fill("Corner of 5th and Main")
    page.get_by_label("Describe it").fill("Deep pothole in the bike lane")
    screenshot(page, "resident-report")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator(".flash")).to_contain_text("Your request")
    reported = db.session.query(ServiceRequest).one()
    assert reported.address == "Corner of 5th and Main" and reported.source == "web"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pothole: Deep pothole in the bike lane")
    screenshot(page, "resident-request")

    # Staff see it in the queue, open it, acknowledge it and comment twice.
    office = new_page()
    log_in(office, staff.email, PASSWORD)
    office.goto("/staff/springfield/requests")
    row = office.get_by_role("row").filter(has_text="Deep pothole in the bike lane")
    expect(row).to_contain_text("Open")
    expect(row.locator(".pill.sla-ok")).to_contain_text("SLA due in")
    expect(office.locator("#home-map path.leaflet-interactive")).to_have_count(1)  # its marker
    screenshot(office, "staff-queue")
    row.get_by_role("link", name=reported.public_id).click()
    office.get_by_role("button", name="Acknowledge").click()
    expect(office.locator(".flash")).to_have_text("Acknowledged.")
    expect(office.locator(".page-head .pill").first).to_have_text("Acknowledged")

    office.get_by_role("textbox", name="Comment", exact=True).fill("Needs the large patch truck")
    expect(office.get_by_label("Internal: staff of the organization only")).to_be_checked()
    office.get_by_role("button", name="Add the comment").click()
    expect(office.locator(".flash")).to_have_text("Internal note added.")
    office.get_by_role("textbox", name="Comment", exact=True).fill("A crew is scheduled for Monday")
    office.get_by_label("Public: the reporter, followers and everyone").check()
    office.get_by_role("button", name="Add the comment").click()
    expect(office.locator(".flash")).to_have_text("Public comment posted.")
    internal = office.locator(".timeline li.comment-internal")
    expect(internal).to_contain_text("Needs the large patch truck")
    expect(internal.locator(".visibility-label")).to_have_text("Internal")
    expect(office.locator(".timeline li.comment-public")).to_contain_text("A crew is scheduled for Monday")
    screenshot(office, "staff-request")
    assert {c.visibility for c in db.session.query(Comment)} == {"internal", "public"}

    # The resident sees the public comment and the acknowledgement, never the internal note.
    page.reload()
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("A crew is scheduled for Monday")
    expect(timeline).to_contain_text("Sam Staff acknowledged the request")
    expect(timeline).not_to_contain_text("Needs the large patch truck")
    assert "Needs the large patch truck" not in page.content()
    expect(page.locator(".facts .pill")).to_have_text("Acknowledged")
    screenshot(page, "resident-request-after-staff")


def test_typed_coordinates_and_the_categorys_questions(page, db):
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    CategoryFactory(organization=org, name="Pothole", attributes=[
        {"code": "depth", "datatype": "number", "required": True, "variable": True,
         "description": "How deep (cm)?", "order": 1, "values": []}])
    resident = UserFactory()
    log_in(page, resident.email, PASSWORD)
    page.goto("/report")
    page.get_by_label("Latitude").fill("39.78")
    page.get_by_label("Longitude").fill("-89.65")
    page.get_by_label("Longitude").press("Tab")
    expect(page.locator("#serving")).to_have_text("Handled by City of Springfield.")
    page.get_by_label("What is the problem?").select_option(label="Pothole")
    page.get_by_label("How deep (cm)? (required)").fill("12")
    page.get_by_label("Describe it").fill("Deep hole")
    page.get_by_role("button", name="Send the report").click()
    expect(page).to_have_url(re.compile(r"/requests/[0-9a-z]+$"))
    filed = db.session.query(ServiceRequest).one()
    assert page.url.endswith(f"/requests/{filed.public_id}")  # the address emails link to
    assert filed.answers == {"depth": 12.0}


def test_a_point_outside_every_service_area_is_explained(page, db):
    OrganizationFactory(slug="springfield")
    log_in(page, UserFactory().email, PASSWORD)
    page.goto("/report")
    page.get_by_label("Latitude").fill("10")
    page.get_by_label("Longitude").fill("10")
    page.get_by_label("Longitude").press("Tab")
    expect(page.locator("#serving")).to_contain_text("No organization serves this place.")
