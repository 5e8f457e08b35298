"""What every portal blueprint shares: CSRF checks, security headers, HTML error pages,
template filters and the values every page template sees."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from app import dates
from app.api.auth import current_user
from app.errors import ApiError, Unauthorized
from app.extensions import csrf
from app.i18n import page_locale
from app.portal.script_words import script_words


def portal_blueprint(name: str, import_name: str, url_prefix: str | None = None) -> Blueprint:
    """A blueprint whose forms are CSRF-checked, whose errors are pages, and whose responses
    carry the portal's security headers."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix, template_folder="templates")
    bp.before_request(_check_csrf)
    bp.after_request(_security_headers)
    bp.register_error_handler(ApiError, _error_page)
    bp.register_error_handler(CSRFError, _csrf_error_page)
    bp.register_error_handler(HTTPException, _http_error_page)
    return bp


def _check_csrf() -> None:
    # The JSON API (bearer tokens, SameSite session) is not checked; every portal form is.
    csrf.protect()


def tile_origin(tile_url: str) -> str:
    """The origin a CSP must allow for the map tiles (`{s}` subdomains become a wildcard)."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}", "*")
    if not parts.scheme or "{" in host:
        return "https:"
    return f"{parts.scheme}://{host}"


def _security_headers(response):
    tiles = tile_origin(current_app.config.get("MAP_TILE_URL", ""))
    response.headers.setdefault("Content-Security-Policy", "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        # Leaflet positions tiles and markers with inline styles.
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {tiles}".strip(),
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def back_here() -> str:
    """This page's path and query, to come back to after logging in."""
    query = request.query_string.decode()
    return request.path + (f"?{query}" if query else "")


def safe_next(target: str | None, default: str) -> str:
    """Only local paths: `next` must never send someone to another site.

    Browsers drop tabs and line breaks from a Location and read a backslash as a slash, so
    `/%09/evil.example` (a tab) would become `//evil.example`: any such character refuses it.
    """
    if not target or any(ord(c) <= 0x20 or c in "\x7f\\" for c in target):
        return default
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return default
    return target


def _error_page(exc: ApiError):
    if isinstance(exc, Unauthorized):
        return redirect(url_for("site.login", next=back_here()))
    return render_template("error.html", status=exc.status, message=exc.message), exc.status


def _http_error_page(exc: HTTPException):
    return render_template("error.html", status=exc.code, message=exc.description), exc.code


def _csrf_error_page(exc: CSRFError):
    message = _("This form has expired or did not come from this site. Go back, reload the page and try again.")
    return render_template("error.html", status=400, message=message), 400


def format_when(value: datetime | None, timezone: str | None = None) -> Markup:
    """A `<time>` element: machine-readable ISO instant, human text in the given timezone and the page's language."""
    if value is None:
        return Markup("")
    text = dates.format_when(value, timezone, page_locale())
    return Markup(f'<time datetime="{escape(value.isoformat())}">{escape(text)}</time>')


def register_template_helpers(app: Flask) -> None:
    """Filters and the values every page sees: who is looking, and the map settings."""
    from app.portal.access import is_platform_operator, staff_organizations
    from app.portal.badge import unread_badge
    from app.uploads import IMAGE_TYPES

    app.add_template_filter(format_when, "when")
    app.add_template_filter(format_decimal, "decimal")  # numbers in the reader's locale: 0.2 / 0,2
    # `is picture`: a file a page can show as an image (the types uploads accept as photos).
    app.add_template_test(lambda content_type: content_type in IMAGE_TYPES, "picture")

    @app.context_processor
    def page_globals():
        if request.blueprint not in _PORTAL_BLUEPRINTS:
            return {}
        viewer = current_user()
        return {
            "viewer": viewer,
            "viewer_staff_orgs": staff_organizations(viewer) if viewer else [],
            "viewer_is_platform_operator": is_platform_operator(viewer),
            "unread": unread_badge(),
            "map_settings": {
                "tileUrl": current_app.config.get("MAP_TILE_URL", ""),
                "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
            },
            "script_words": script_words(),
        }


_PORTAL_BLUEPRINTS = frozenset({"site", "account", "invitations", "inbox", "resident", "watch", "staff", "admin"})
