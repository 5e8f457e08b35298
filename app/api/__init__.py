"""The resident/mobile and staff JSON API under /api/v1 (flask-smorest blueprints)."""

from __future__ import annotations

from flask import Flask, g


def register_api(app: Flask) -> None:
    """Bind the Api and register every API blueprint; each area is one module here."""
    from app.api import auth_routes, organizations_routes, requests_routes, staff_requests_routes
    from app.extensions import api

    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    # Any operation takes a bearer token or the browser session; those that need one say 401.
    api.spec.options["security"] = [{"bearerAuth": []}, {"session": []}, {}]
    for module in (auth_routes, organizations_routes, requests_routes, staff_requests_routes):
        api.register_blueprint(module.blp, url_prefix="/api/v1" + module.URL_PREFIX)
    app.before_request(_forget_cached_user)


def _forget_cached_user() -> None:
    # `g` outlives a request when the caller already holds an app context (tests, scripts
    # driving the test client), so the caller cached by current_user() must not leak into
    # the next request.
    g.pop("current_user", None)
