"""Rate limits on the endpoints that guess secrets or send mail: per client and per account.

Limits are read from the configuration at request time (`RATELIMIT_*` in app/config.py), so a
deployment or a test can change them without touching a view. A breach is a 429 in the API's
error shape, with `Retry-After`.
"""

from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from app.api.auth import current_user
from app.extensions import limiter


def _configured(name: str):
    return lambda: current_app.config[name]


def account_key() -> str:
    """The account a body names by its email, so one account's limit holds from every client."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    if isinstance(email, str) and email.strip():
        return "account:" + email.strip().lower()
    return "account:-"


def user_key() -> str:
    """The calling user, or the client address for an anonymous caller (who is refused anyway)."""
    user = current_user()
    return f"user:{user.id}" if user is not None else get_remote_address()


def _failed(response) -> bool:
    return response.status_code >= 400


def per_client(config_name: str):
    """Limit a view per client address by the limits configured under `config_name`."""
    return limiter.limit(_configured(config_name), key_func=get_remote_address)


def per_account(config_name: str, *, failures_only: bool = False):
    """Limit a view per email address in the body; with `failures_only`, only 4xx answers count."""
    return limiter.limit(_configured(config_name), key_func=account_key,
                         deduct_when=_failed if failures_only else None)


def per_user(config_name: str):
    """Limit a view per logged-in user."""
    return limiter.limit(_configured(config_name), key_func=user_key)
