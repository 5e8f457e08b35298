"""What people do on the pages, step by step (shared by the journeys)."""

from __future__ import annotations

from playwright.sync_api import expect


def log_in(page, email: str, password: str) -> None:
    """Log in through the login form (from wherever the page is, or /login)."""
    if "/login" not in page.url:
        page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def click_link(page, text: str) -> None:
    """Click the link whose text contains `text` (in a page or an opened email) and wait for the page."""
    link = page.get_by_role("link", name=text).first
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()


def reload_until(page, locator, text: str, attempts: int = 40) -> None:
    """Reload the page until `locator` contains `text` (work done by the worker meanwhile)."""
    for _ in range(attempts):
        if any(text in found for found in locator.all_inner_texts()):
            return
        page.wait_for_timeout(500)
        page.reload()
    expect(locator.first).to_contain_text(text)
