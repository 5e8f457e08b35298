"""Account actors: the part of forgot-password and resend-confirmation that looks accounts up."""

from __future__ import annotations

import dramatiq

from app import broker as _broker  # noqa: F401  isort: skip


@dramatiq.actor(queue_name="default", max_retries=5)
def send_account_link(kind: str, email: str, request_key: str) -> None:
    """Record the event that mails a password-reset or confirm link, if the account exists."""
    from app.accounts.service import record_account_link

    record_account_link(kind, email, request_key)
