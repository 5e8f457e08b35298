"""Checks every JSON API call passes before its view runs: how deep its JSON may nest, and,
for calls that change something on the strength of a browser cookie, that they come from us.

A browser attaches the session cookie to a cross-site POST whenever SameSite allows it
(Lax lets top-level form posts through), so a cookie-authenticated unsafe call must also
show a same-origin `Origin` (which browsers send and pages cannot forge) or the session's
CSRF token in `X-CSRF-Token`. Bearer-token calls carry no ambient credential and are free.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import ValidationError as CsrfInvalid
from flask_wtf.csrf import validate_csrf

from app.api.auth import SESSION_USER_KEY, bearer_token
from app.errors import ApiError, Forbidden

MAX_JSON_DEPTH = 32  # far deeper than any document of this API; recursion limits are far off
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


def json_depth_exceeds(data: bytes, limit: int) -> bool:
    """True when arrays/objects in `data` nest deeper than `limit` (strings are skipped)."""
    depth, in_string, escaped = 0, False, False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def _refuse_deep_json() -> None:
    if request.is_json and json_depth_exceeds(request.get_data(cache=True), MAX_JSON_DEPTH):
        raise ApiError(_("JSON may nest at most %(MAX_JSON_DEPTH)s levels deep.", MAX_JSON_DEPTH=MAX_JSON_DEPTH), {"max_depth": MAX_JSON_DEPTH},
                       status=400, code="too_deeply_nested")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _same_origin(origin: str) -> bool:
    ours = {_origin(request.host_url), _origin(current_app.config.get("PUBLIC_BASE_URL", ""))}
    return bool(origin) and origin.lower() in ours - {""}


def _csrf_header_valid() -> bool:
    token = request.headers.get(CSRF_HEADER)
    if not token:
        return False
    try:
        validate_csrf(token)
    except CsrfInvalid:
        return False
    return True


def _refuse_cross_site_cookie_calls() -> None:
    if request.method in SAFE_METHODS or bearer_token() or not session.get(SESSION_USER_KEY):
        return
    if _same_origin(request.headers.get("Origin", "")) or _csrf_header_valid():
        return
    raise Forbidden(_("A call made with the browser session must come from this site: send a same-origin Origin or the %(CSRF_HEADER)s header, or use a bearer token.", CSRF_HEADER=CSRF_HEADER), code="cross_site_request")


def register(app: Flask) -> None:
    """The depth limit for every JSON body; the origin check for every call under /api/v1."""

    @app.before_request
    def guard_api_calls():
        _refuse_deep_json()
        if request.path.startswith("/api/v1/"):
            _refuse_cross_site_cookie_calls()
