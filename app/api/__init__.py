"""The resident/mobile and staff JSON API under /api/v1 (flask-smorest blueprints)."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

# One module per area, each exposing `blp` and `URL_PREFIX`.
API_MODULES = (
    "addresses_routes",
    "api_keys",
    "automations_routes",
    "auth_routes",
    "exports_routes",
    "inbound_messages",
    "me_notifications",
    "me_privacy",
    "me_routes",
    "members_routes",
    "notifications",
    "org_notifications",
    "org_privacy",
    "organizations_routes",
    "requests_routes",
    "sso_routes",
    "staff_requests_routes",
    "statistics_routes",
    "unsubscribe",
    "watch_areas_routes",
    "webhooks_routes",
    "work_orders_routes",
)


def register_api(app: Flask) -> None:
    """Bind the Api and register every API blueprint."""
    from app.api import guards
    from app.api.presence import touch_last_seen
    from app.api.unsubscribe import page_bp as unsubscribe_page
    from app.extensions import api

    api.init_app(app)
    guards.register(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    # Any operation takes a bearer token or the browser session; those that need one say 401.
    api.spec.options["security"] = [{"bearerAuth": []}, {"session": []}, {}]
    for name in API_MODULES:
        module = import_module(f"app.api.{name}")
        api.register_blueprint(module.blp, url_prefix="/api/v1" + module.URL_PREFIX)
    _document_not_found(api.spec)
    app.register_blueprint(unsubscribe_page)  # the HTML confirmation page, outside /api/v1
    app.after_request(touch_last_seen)


def _document_not_found(spec) -> None:
    """Every operation on a path with an id or a slug can answer 404 (no such org, no such row)."""
    for path, operations in spec._paths.items():
        if "{" not in path:
            continue
        for method, operation in operations.items():
            if method != "parameters":
                operation.setdefault("responses", {}).setdefault(
                    "404", {"$ref": "#/components/responses/NOT_FOUND"})
