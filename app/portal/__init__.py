"""Server-rendered pages: the resident web app at `/`, the staff portal at `/staff/<org>`,
admin pages at `/admin`. Views are thin: they parse a form, call the same domain service as
the API, and render a template."""

from __future__ import annotations

from flask import Flask


def register_portal(app: Flask) -> None:
    """Bind CSRF protection and register every portal blueprint."""
    from app.extensions import csrf
    from app.portal import (
        account,
        account_privacy,  # noqa: F401  (its routes are on the account blueprint)
        admin,
        invitation_pages,
        notifications,
        old_addresses,
        request_page,  # noqa: F401  (its routes are on the resident blueprint)
        resident,
        site,
        staff,
        watch_pages,
    )
    from app.portal.web import register_template_helpers

    csrf.init_app(app)
    register_template_helpers(app)
    for module in (site, account, invitation_pages, notifications, resident, watch_pages, staff, admin, old_addresses):
        app.register_blueprint(module.bp)
