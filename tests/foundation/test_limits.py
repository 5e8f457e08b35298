"""The rate limiter skips its check before a view only where no limit can apply (app/limits.py)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_limiter.util import get_remote_address

from app.limits import CivicLimiter


def _app(**limiter_options) -> Flask:
    app = Flask("limited")
    limiter = CivicLimiter(key_func=get_remote_address, storage_uri="memory://", **limiter_options)
    limiter.init_app(app)

    @app.get("/open")
    def open_view():
        return "ok"

    @app.get("/decorated")
    @limiter.limit("2 per minute")
    def decorated_view():
        return "ok"

    @limiter.limit("2 per minute")
    def limited_helper():
        return "ok"

    @app.get("/helper")
    def helper_view():
        return limited_helper()

    return app


def _answers(app: Flask, path: str, times: int = 3) -> list[int]:
    client = app.test_client()
    return [client.get(path).status_code for _ in range(times)]


@pytest.mark.parametrize("options", [{"default_limits": ["2 per minute"]}, {"application_limits": ["2 per minute"]},
                                     {"meta_limits": ["1 per hour"]}], ids=["default", "application", "meta"])
def test_limits_set_for_every_view_still_apply_to_views_without_their_own(options):
    app = _app(**options)
    if "meta_limits" in options:  # a meta limit counts breaches: breach a view's own limit first
        assert _answers(app, "/decorated") == [200, 200, 429]
    else:
        assert _answers(app, "/open") == [200, 200, 429]


def test_a_view_without_limits_is_not_limited_and_a_decorated_one_is():
    app = _app()
    assert _answers(app, "/open", 5) == [200] * 5
    assert _answers(app, "/decorated") == [200, 200, 429]
    assert _answers(app, "/helper") == [200, 200, 429]  # checked where the limited function runs
