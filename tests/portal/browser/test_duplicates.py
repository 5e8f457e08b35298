"""A resident starting a report next to an open pothole is offered it, supports it, and hears of its comments."""

from __future__ import annotations

from playwright.sync_api import expect

from app.requests import service
from tests.factories import (
    CENTRE,
    PASSWORD,
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    make_member,
)
from tests.portal.browser.conftest import log_in, screenshot


def test_a_reporter_is_offered_the_open_pothole_nearby_supports_it_and_hears_its_comments(
        app, page, stub_worker, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BADGE_POLL_MS", 300)
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    staff = make_member(org, "staff", name="Sam Staff")
    pothole = CategoryFactory(organization=org, code="pothole", name="Pothole")
    CategoryFactory(organization=org, code="graffiti", name="Graffiti")
    existing = ServiceRequestFactory(category=pothole, description="Deep pothole outside number 12")
    resident = UserFactory(name="Nina Neighbour")

    log_in(page, resident.email, PASSWORD)
    page.goto("/report")
    lng, lat = CENTRE
    page.locator("#lat").fill(f"{lat + 0.0002:.6f}")  # about 22 m north of the pothole
    page.locator("#lng").fill(f"{lng:.6f}")
    page.locator("#lng").press("Tab")
    page.locator("#category_id").select_option(label="Pothole")
    offer = page.locator("#nearby")
    expect(offer).to_be_visible()
    expect(offer.get_by_role("heading", name="Is it one of these?")).to_be_visible()
    item = offer.locator("li.nearby-item", has_text="Deep pothole outside number 12")
    expect(item).to_contain_text("m away")
    screenshot(page, "report-nearby")
    item.get_by_role("button", name="This is it: me too").click()

    page.wait_for_url(f"**/requests/{existing.public_id}")
    expect(page.locator(".flash, [role=status]").first).to_contain_text("your support is counted")
    expect(page.locator(".support-count")).to_contain_text("1 person says")
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()

    service.add_comment(existing.id, staff, "A crew fills it on Monday.", "public")
    badge = page.locator("#unread-badge")
    expect(badge).to_be_visible(timeout=15_000)
    expect(badge).to_contain_text("1")
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("button", name=f"New comment on request {existing.public_id}")).to_be_visible()
