"""Fixtures of the notification tests."""

import pytest

from tests.notify.sinks import CountingSink


@pytest.fixture
def sink(app, monkeypatch):
    """A real SMTP listener that counts connections; the app's outgoing mail goes to it."""
    counting = CountingSink().start()
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": counting.port, "MAIL_USE_TLS": False,
                       "MAIL_USE_SSL": False, "MAIL_USERNAME": None}.items():
        monkeypatch.setitem(app.config, key, value)
    yield counting
    counting.stop()
