"""The first pages in a real browser: the map without tiles, logging in and out."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import PASSWORD, OrganizationFactory, UserFactory
from tests.portal.browser.conftest import log_in, screenshot


def test_the_map_draws_the_boundary_when_tiles_cannot_load(page, db):
    OrganizationFactory(slug="springfield", name="City of Springfield")
    page.goto("/")
    expect(page.locator("#home-map.tiles-offline")).to_be_visible()
    expect(page.locator("#home-map path.map-boundary")).to_have_count(1)
    screenshot(page, "home")


def test_log_in_and_out_with_the_keyboard(page, db):
    user = UserFactory(email="kim@example.org")
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("wrong")
    page.keyboard.press("Enter")
    expect(page.locator("#password-error")).to_have_text("Email or password is wrong.")
    screenshot(page, "login-error")
    log_in(page, user.email, PASSWORD)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_pages_fit_a_phone(new_page, db):
    OrganizationFactory(slug="springfield", name="City of Springfield")
    user = UserFactory()
    phone = new_page(viewport={"width": 390, "height": 844})
    log_in(phone, user.email, PASSWORD)
    for path, name in (("/", "phone-home"), ("/report", "phone-report")):
        phone.goto(path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways ({width}px)"
        screenshot(phone, name)
