"""Account actors: the part of forgot-password and resend-confirmation that looks accounts up."""

from __future__ import annotations

import uuid

import dramatiq

from app import broker as _broker  # noqa: F401  isort: skip
from app.accounts.service import ACCOUNT_LINKS, record_account_link


@dramatiq.actor(queue_name="default", max_retries=5)
def send_account_link(kind: str, email: str, request_key: str) -> None:
    """Record the event that mails a password-reset or confirm link, if the account exists."""
    record_account_link(kind, email, request_key)


def request_account_link(kind: str, email: str) -> None:
    """Queue a forgot-password or resend-confirmation request for the worker.

    The answer must not tell whether the account exists, by content or by time, so the web
    process only enqueues; the lookup and the event happen in `record_account_link`.
    """
    if kind not in ACCOUNT_LINKS:
        raise ValueError(f"unknown account link {kind!r}")
    send_account_link.send(kind, email.strip(), uuid.uuid4().hex)
