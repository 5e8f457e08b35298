"""Rate limits on the pages that guess secrets or send mail: the API's limits (the same
RATELIMIT_* settings), counted on form posts only; the account is the form's email."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from app.api.ratelimit import user_key
from app.extensions import limiter


def _configured(name: str):
    return lambda: current_app.config[name]


def _form_account() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return "account:" + (email or "-")


def _failed(response) -> bool:
    return response.status_code >= 400


def posts_per_client(config_name: str):
    return limiter.limit(_configured(config_name), key_func=get_remote_address, methods=["POST"])


def posts_per_account(config_name: str, *, failures_only: bool = False):
    return limiter.limit(_configured(config_name), key_func=_form_account, methods=["POST"],
                         deduct_when=_failed if failures_only else None)


def posts_per_user(config_name: str):
    return limiter.limit(_configured(config_name), key_func=user_key, methods=["POST"])
