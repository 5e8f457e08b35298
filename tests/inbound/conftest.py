"""Fixtures of the inbound tests: the small city mail is sent to."""

import pytest

from tests.inbound.world import build_world


@pytest.fixture
def world(app, tmp_path, monkeypatch):
    """The city, with uploads kept in a temporary folder."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    return build_world()
