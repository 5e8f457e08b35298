"""Journeys: people going from a real email to a real page, in Debian's Chromium.

Per module, one live server (werkzeug in a thread, the app's emails linking to it through
PUBLIC_BASE_URL) and one browser. Per test, what a journey crosses: a real Dramatiq worker on
real Redis, a real SMTP listener that receives the app's mail, and the app's own inbound SMTP
listener for replies. Mail is read as its recipient would: its HTML part is opened in that
person's browser and its links are clicked, so no test builds a URL it was emailed. Every page
a person's browser loads, and every email opened, is saved under test-artifacts/journeys/.
"""

from __future__ import annotations

import os
import re
import smtplib
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.inbound.smtp import start_listener
from tests.support.smtp import ReceivedMail, free_port

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journeys"
MAIL_TIMEOUT = 30.0  # seconds a journey waits for an email (fan-out and delivery by the worker)
# The CPU is shared with other suites: page assertions may wait as long as page actions do.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="module")
def live_server(app):
    """The app over real HTTP; emails built while it runs link to it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="journey-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.port}"
    saved = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = url
    try:
        yield url
    finally:
        app.config["PUBLIC_BASE_URL"] = saved
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "page"


class Journey:
    """One story: its people (browser contexts), its mailboxes and its screenshots."""

    def __init__(self, name: str, browser, base_url: str, smtp, inbound) -> None:
        self.directory = ARTIFACTS / name
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.glob("*.png"):
            old.unlink()
        self.browser, self.base_url, self.smtp, self.inbound = browser, base_url, smtp, inbound
        self.contexts: list = []
        self.shots: list[Path] = []
        self.count = 0

    # --- people and pages ---------------------------------------------------------------
    def person(self, who: str, locale: str | None = None):
        """A fresh browser (its own cookies, its language: `Accept-Language`) for one person; each page it
        loads is photographed."""
        context = self.browser.new_context(base_url=self.base_url, viewport={"width": 1280, "height": 900},
                                           locale=locale)
        context.set_default_timeout(10_000)
        # Only the live server is reachable: map tiles and anything else fail, as offline.
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(self.base_url)
                      else route.abort("internetdisconnected"))
        self.contexts.append(context)
        page = context.new_page()
        page.on("load", lambda loaded: self.shoot(loaded, who) if loaded.url.startswith(self.base_url) else None)
        return page

    def shoot(self, page, who: str, label: str | None = None) -> Path:
        """Save the whole page as <n>-<who>-<page address or label>.png."""
        where = label or (page.url.removeprefix(self.base_url).split("?")[0] or "home")
        self.count += 1  # before the screenshot: another page's load may be handled meanwhile
        path = self.directory / f"{self.count:02d}-{_slug(who)}-{_slug(where)}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception:  # the page navigated on while being photographed: its next load is
            return path
        self.shots.append(path)
        return path

    # --- mail -------------------------------------------------------------------------------
    def mail_to(self, address: str, subject: str = "", timeout: float = MAIL_TIMEOUT,
                after: int = 0) -> ReceivedMail:
        """The first email to `address` whose subject contains `subject`, beyond the first `after` such."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.smtp.to(address) if subject.lower() in m.subject.lower()]
            if len(found) > after:
                return found[after]
            if time.monotonic() > deadline:
                seen = [(m.rcpt_tos, m.subject) for m in self.smtp.messages]
                raise AssertionError(f"no email to {address} about {subject!r} within {timeout} s; got {seen}")
            time.sleep(0.1)

    def mails_to(self, address: str, subject: str = "") -> list[ReceivedMail]:
        return [m for m in self.smtp.to(address) if subject.lower() in m.subject.lower()]

    def open_mail(self, page, mail: ReceivedMail, who: str) -> None:
        """Show the email in the person's browser, as their mail client would: links are clickable."""
        part = mail.message.get_body(preferencelist=("html",))
        assert part is not None, f"the email {mail.subject!r} has no HTML part"
        page.set_content(part.get_content())
        self.shoot(page, who, "mail " + mail.subject)

    def reply(self, mail: ReceivedMail, sender: str, text: str) -> None:
        """Answer an email from a mail client: to its Reply-To, the notification quoted below."""
        from email.message import EmailMessage

        answer = EmailMessage()
        answer["From"] = sender
        answer["To"] = mail.message["Reply-To"]
        answer["Subject"] = "Re: " + mail.subject
        answer["Message-ID"] = f"<reply-{time.monotonic_ns()}@mail.example.org>"
        answer["In-Reply-To"] = mail.message["Message-ID"]
        answer["References"] = mail.message["Message-ID"]
        quoted = "\n".join("> " + line for line in mail.text().splitlines())
        answer.set_content(f"{text}\n\nOn Tuesday, the city wrote:\n{quoted}\n")
        self.send_mail(answer)

    def send_mail(self, message) -> None:
        """Submit a message to the app's inbound SMTP listener, as a mail server would."""
        with smtplib.SMTP(self.inbound.hostname, self.inbound.port) as client:
            client.send_message(message)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(request, app, browser, live_server, smtp_server, redis_worker, monkeypatch):
    """Everything a journey crosses, real: server, browser, worker on Redis, SMTP both ways."""
    # People using the pages count as "in the app", so their email waits for the fallback
    # delay unless they saw the notification; one second keeps that rule without a long wait.
    monkeypatch.setitem(app.config, "EMAIL_FALLBACK_DELAY", 1)
    inbound = start_listener(app, host="127.0.0.1", port=free_port())
    story = Journey(request.node.name.removeprefix("test_"), browser, live_server, smtp_server, inbound)
    try:
        yield story
    finally:
        story.close()
        inbound.stop()

