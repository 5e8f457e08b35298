"""The resident/mobile and staff JSON API under /api/v1 (flask-smorest blueprints)."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Bind the Api and register every API blueprint; each area is one module here."""
    from app.api import auth_routes, me_notifications, notifications, org_notifications, unsubscribe
    from app.api.auth import forget_current_user
    from app.extensions import api
    from app.notify.presence import touch_last_seen

    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    for module in (auth_routes, notifications, me_notifications, org_notifications, unsubscribe):
        api.register_blueprint(module.blp, url_prefix="/api/v1" + module.URL_PREFIX)
    app.register_blueprint(unsubscribe.page_bp)  # the HTML confirmation page, outside /api/v1
    app.before_request(forget_current_user)
    app.after_request(touch_last_seen)
