"""The unread badge follows new notifications without a reload; the inbox opens them."""

from __future__ import annotations

from playwright.sync_api import expect

from app.requests import service
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    make_member,
)
from tests.portal.browser.conftest import log_in, screenshot


def test_the_badge_counts_a_new_comment_without_a_reload(app, page, db, stub_worker, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BADGE_POLL_MS", 300)
    org = OrganizationFactory(slug="springfield")
    resident = UserFactory(email="rita@example.org")
    staff = make_member(org, "staff", name="Sam Staff")
    request = ServiceRequestFactory(category=CategoryFactory(organization=org), reporter=resident)
    service.follow(request.id, resident)

    log_in(page, resident.email, PASSWORD)
    badge = page.locator("#unread-badge")
    expect(badge).to_be_hidden()
    service.add_comment(request.id, staff, "We are on our way.", "public")  # staff act elsewhere
    expect(badge).to_be_visible(timeout=15_000)
    expect(badge).to_contain_text("1")
    expect(page.locator("#unread-live")).to_have_text("1 unread notification")  # said aloud, politely
    screenshot(page, "badge")

    page.get_by_role("link", name="Notifications").click()
    item = page.get_by_role("button", name=f"New comment on request {request.public_id}")
    expect(item).to_be_visible()
    screenshot(page, "notifications")
    item.click()
    expect(page.locator(".timeline")).to_contain_text("We are on our way.")
    expect(page.locator("#unread-badge")).to_be_hidden()
