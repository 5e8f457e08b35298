"""The one link builder: every address an email, a template preview, a digest or a notification
names is made here, by `url_for(..., _external=True)` from PUBLIC_BASE_URL.

`PAGES` is the table "Pages that emails link to" of the product's outside surface: a page's
name, the endpoint that answers it, and the address it has for good. Mail code asks for a page
by name (`page_url("request", public_id=...)`), never writes a path, so a page that moves keeps
its links working and a link to a page that does not exist fails when it is built, not when a
resident clicks it. Adding a page that mail links to is one row here (and its route).

Links are built from PUBLIC_BASE_URL in the web process and the worker alike: in a worker the
app context's URL adapter is bound to it (`CivicFlask.create_url_adapter`); in a web request
(the template preview) the link is built in a context of its own, so the Host a browser sent
never leaks into a link meant for a mailbox.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, url_for
from werkzeug.routing import MapAdapter

# name -> (endpoint, the address, as CONTRACT.md fixes it)
PAGES: dict[str, tuple[str, str]] = {
    "home": ("resident.home", "/"),
    "request": ("resident.request_page", "/requests/<public_id>"),
    "confirm_email": ("site.confirm_email", "/confirm-email?token=…"),
    "reset_password": ("site.reset_password", "/reset-password?token=…"),
    "set_password": ("site.set_password", "/set-password?token=…"),
    "preferences": ("inbox.preferences_page", "/account/preferences"),
    "register": ("site.register", "/register"),
    "invitation": ("invitations.invitation", "/invitations/<token>"),  # issue 14: not yet in CONTRACT.md
    "delete_account": ("account.confirm_delete", "/account/delete?token=…"),  # issue 19: not yet in CONTRACT.md
    "unsubscribe": ("unsubscribe_page.unsubscribe_page", "/unsubscribe/<token>"),
    "one_click_unsubscribe": ("unsubscribe.one_click", "/api/v1/unsubscribe/<token>"),
    "watch_area": ("watch.detail", "/watch-areas/<area_id>"),
    "staff_home": ("staff.dashboard", "/staff/<org>/"),
    "staff_request": ("staff.request_detail", "/staff/<org>/requests/<request_id>"),
    "staff_inbound": ("staff.inbound_message", "/staff/<org>/inbound/<message_id>"),
    "staff_work_order": ("staff.work_order", "/staff/<org>/work-orders/<work_order_id>"),
}


def page_url(page: str, **values) -> str:
    """The absolute address of one of `PAGES`, from PUBLIC_BASE_URL (KeyError for an unknown page)."""
    endpoint = PAGES[page][0]
    if not has_request_context():
        return url_for(endpoint, _external=True, **values)
    # In a web request url_for would use the request's Host; build in a context without one.
    app = current_app._get_current_object()
    return contextvars.Context().run(_build_outside_request, app, endpoint, values)


# Characters url_for writes as they are in a path segment and in a query value (RFC 3986's
# unreserved): the reply and unsubscribe tokens are made of them.
_UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
_MARK = "~page-url-value~"


def page_url_filler(page: str, key: str, **values) -> Callable[[str], str]:
    """`page_url(page, key=value, **values)` for many values of `key` (a batch's tokens), built once.

    Building a link costs a url_for call (a tenth of composing an email, bench/fanout.py
    --profile); a value of unreserved characters only is written where the marker was, which
    is what url_for writes for it; any other value is built by `page_url` itself. `key` names
    a text value (a number's converter refuses the marker).
    """
    before, mark, after = page_url(page, **values, **{key: _MARK}).partition(_MARK)
    assert mark and _MARK not in after, (page, key)

    def fill(value: str) -> str:
        if value and not value.strip(_UNRESERVED):
            return before + value + after
        return page_url(page, **values, **{key: value})

    return fill


def _build_outside_request(app: Flask, endpoint: str, values: dict) -> str:
    with app.app_context():
        return url_for(endpoint, _external=True, **values)


def public_url_adapter(app: Flask) -> MapAdapter:
    """The app's routes bound to PUBLIC_BASE_URL (scheme, host and any path prefix)."""
    base = urlsplit(app.config["PUBLIC_BASE_URL"])
    return app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "http")


class CivicFlask(Flask):
    """Flask whose app contexts (worker, CLI, scheduler) build external links from PUBLIC_BASE_URL."""

    def create_url_adapter(self, request):
        if request is None and not self.config.get("SERVER_NAME") and self.config.get("PUBLIC_BASE_URL"):
            return public_url_adapter(self)
        return super().create_url_adapter(request)
