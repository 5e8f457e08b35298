"""Hard bounces: the failed address is suppressed and its user marked bounced, so mail stops.

Suppression itself has one entry point, app.notify.suppression.suppress_address.
"""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.notify.suppression import suppress_address


def suppress_hard_bounce(email: str, reason: str) -> bool:
    """Suppress `email` and mark a user with that address bounced; True if a user has it."""
    suppress_address(email, reason if reason.lower().startswith("bounce") else f"bounce: {reason}")
    return db.session.scalar(select(User.id).where(User.email == email)) is not None
