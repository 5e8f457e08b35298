"""Authenticating test clients as a given user."""

from __future__ import annotations

from app.accounts.tokens import issue_token
from app.extensions import db


def bearer(user) -> dict[str, str]:
    """Headers that authenticate as `user` through a real, committed API token."""
    token = issue_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}
