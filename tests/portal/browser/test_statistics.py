"""The statistics page in Chromium: Chart.js (served by the app) draws both charts, within the page's CSP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    make_member,
)
from tests.portal.browser.conftest import log_in, screenshot, wait_until_true


def test_the_statistics_page_draws_its_charts(page, db):
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    pothole = CategoryFactory(organization=org, code="pothole", name="Pothole")
    staff = make_member(org, "staff", name="Sam Staff")
    start = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    for day in range(6):
        ServiceRequestFactory(category=pothole, created_at=start + timedelta(days=day), assignee=staff,
                              acknowledged_at=start + timedelta(days=day, hours=3), status="acknowledged")
    errors = []
    # Requests to other hosts (map tiles) are aborted by the fixture on purpose; anything else is a defect.
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "ERR_INTERNET_DISCONNECTED" not in message.text else None)
    log_in(page, staff.email, PASSWORD)
    page.goto("/staff/springfield/")
    page.get_by_role("link", name="Statistics").click()
    page.get_by_label("From", exact=True).fill("2026-11-01")
    page.get_by_label("To", exact=True).fill("2026-11-30")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#total-requests")).to_have_text("6")
    expect(page.locator("#median-acknowledge")).to_have_text("3.0 h")
    # Chart.js took both canvases (a chart instance per canvas) and drew on them.
    wait_until_true(page, "!!(window.Chart && Chart.getChart('chart-volume') && Chart.getChart('chart-medians'))")
    assert page.evaluate("Chart.getChart('chart-volume').data.datasets[0].data.reduce((a, b) => a + b, 0)") == 6
    assert page.evaluate("Chart.getChart('chart-volume').data.datasets[0].label") == "Pothole"
    assert not errors, errors
    screenshot(page, "staff-statistics")
