"""Browser tests: Playwright driving Debian's Chromium against a live server on a free port.

One browser for the package, one fresh context (cookies, storage) per test. Requests to any
host but the live server are aborted, so map tiles never load: the pages must work without
them, and nothing leaves this machine.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/portal/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def live_server(app):
    """The app served over real HTTP by werkzeug in a thread, against the test database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="package")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (scripts/bootstrap.sh does it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (a different person); all closed after the test."""
    contexts = []

    def open_page(viewport=None):
        context = browser.new_context(base_url=live_server, viewport=viewport or {"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server)
                      else route.abort("internetdisconnected"))
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def screenshot(page, name: str) -> Path:
    """Save the whole page as test-artifacts/screenshots/<name>.png, after axe-core has checked it."""
    from tests.portal.browser.axe import assert_accessible

    assert_accessible(page, name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, email: str, password: str) -> None:
    """Log in through the login form, as a person would."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def wait_until_true(page, expression: str, timeout: float = 15.0) -> None:
    """Wait until `expression` is truthy in the page.

    Playwright's wait_for_function polls by compiling its predicate inside the page, which the
    portal's Content Security Policy (no 'unsafe-eval') refuses once a first check has failed: on a
    slow machine the wait raised an EvalError. page.evaluate runs through the browser's protocol,
    which the policy does not govern.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(50)

