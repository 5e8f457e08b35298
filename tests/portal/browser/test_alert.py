"""The in-app alert: with it turned on, a new notification updates the badge, pings, and shows a browser
notification; the browser's permission is asked only after a click."""

from __future__ import annotations

from playwright.sync_api import expect

from app.notify import preferences
from app.requests import service
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    make_member,
)
from tests.portal.browser.conftest import log_in, wait_until_true

# The page's Notification API, recorded: what was asked, what was shown (a real one needs a desktop).
FAKE_NOTIFICATION = """
window.__asked = 0; window.__shown = [];
class FakeNotification {
  constructor(title, options) { window.__shown.push({ title, body: options.body }); }
  static requestPermission() { window.__asked += 1; FakeNotification.permission = "granted"; return Promise.resolve("granted"); }
}
FakeNotification.permission = "default";
window.Notification = FakeNotification;
"""


def _city():
    org = OrganizationFactory(slug="springfield")
    staff = make_member(org, "staff", name="Sam Staff")
    resident = UserFactory(email="rita@example.org")
    request = ServiceRequestFactory(category=CategoryFactory(organization=org), reporter=resident)
    service.follow(request.id, resident)
    return staff, resident, request


def test_with_the_alert_on_a_new_notification_pings_and_shows_a_browser_notification(
        app, new_page, stub_worker, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BADGE_POLL_MS", 300)
    staff, resident, request = _city()
    page = new_page()
    page.add_init_script(FAKE_NOTIFICATION)
    log_in(page, resident.email, PASSWORD)
    page.goto("/account/preferences")
    page.get_by_label("Play a sound and show a browser notification").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification preferences are saved.")).to_be_visible()
    # The page's scripts listen for the first click; on a slow machine the text is visible before
    # they have run, and a click then goes unheard.
    page.wait_for_load_state("load")
    assert page.evaluate("window.__asked") == 0  # nobody clicked since this page loaded
    page.locator("h1").click()
    wait_until_true(page, "window.__asked === 1")

    service.add_comment(request.id, staff, "We are on our way.", "public")
    badge = page.locator("#unread-badge")
    expect(badge).to_contain_text("1", timeout=15_000)
    wait_until_true(page, "document.documentElement.dataset.lastPing !== undefined")
    assert page.evaluate("window.__shown") == [{"title": "Civic 311", "body": "1 unread notification"}]


def test_without_the_alert_the_badge_updates_silently(app, new_page, stub_worker, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BADGE_POLL_MS", 300)
    staff, resident, request = _city()
    preferences.update_preferences(resident.id, in_app_alert=False)
    page = new_page()
    page.add_init_script(FAKE_NOTIFICATION)
    log_in(page, resident.email, PASSWORD)
    page.locator("h1").first.click()
    service.add_comment(request.id, staff, "We are on our way.", "public")
    expect(page.locator("#unread-badge")).to_contain_text("1", timeout=15_000)
    page.wait_for_timeout(700)  # two more polls: nothing else may happen
    assert page.evaluate("[window.__asked, window.__shown.length, document.documentElement.dataset.lastPing]") == [
        0, 0, None]
