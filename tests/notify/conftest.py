"""Fixtures of the notification tests."""

import pytest

from tests.notify.sinks import CountingSink
from tests.support.smtp import route_mail


@pytest.fixture
def sink(app, monkeypatch):
    """A real SMTP listener that counts connections; the app's outgoing mail goes to it."""
    counting = CountingSink().start()
    route_mail(app, monkeypatch, counting.port)
    yield counting
    counting.stop()
