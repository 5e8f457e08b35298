"""Driving the portal's pages like a browser would: read the form, send it back with its token."""

from __future__ import annotations

import re

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _TOKEN.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1) or match.group(2)


def page_token(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return csrf_token(response.get_data(as_text=True))


def log_in(client, user, password: str = PASSWORD):
    """Log in through the login form; returns the response (a redirect when it worked)."""
    token = page_token(client, "/login")
    return client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})


def post_form(client, path: str, data: dict | None = None, *, form_page: str | None = None, **kwargs):
    """POST a form with the token the page it lives on (default: the same path) hands out."""
    token = page_token(client, form_page or path)
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)
