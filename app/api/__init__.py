"""The resident/mobile and staff JSON API under /api/v1 (flask-smorest blueprints)."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Bind the Api and register every API blueprint; each area is one module here."""
    from app.api import (
        api_keys,
        auth_routes,
        inbound_messages,
        me_routes,
        members_routes,
        watch_areas_routes,
        work_orders_routes,
    )
    from app.extensions import api

    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    for module in (
        auth_routes,
        inbound_messages,
        me_routes,
        members_routes,
        watch_areas_routes,
        work_orders_routes,
        api_keys,
    ):
        api.register_blueprint(module.blp, url_prefix="/api/v1" + module.URL_PREFIX)
