"""Hard bounces: the failed address is suppressed and its user marked, so mail stops.

COORDINATOR: `app.notify.suppression.suppress_address(email, reason)` becomes the one entry
point for suppression; `suppress_hard_bounce` then calls it instead of writing the row.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from app.accounts.models import User
from app.db_types import utcnow
from app.extensions import db
from app.inbound.models import SuppressedAddress


def suppress_hard_bounce(email: str, reason: str) -> bool:
    """Suppress `email` and mark a user with that address bounced; True if a user matched."""
    db.session.execute(
        insert(SuppressedAddress).values(email=email, reason=reason[:1000])
        .on_conflict_do_nothing(index_elements=[SuppressedAddress.email])
    )
    result = db.session.execute(
        update(User).where(User.email == email, User.email_bounced_at.is_(None))
        .values(email_bounced_at=utcnow()).returning(User.id)
    )
    matched = result.first() is not None
    return matched or db.session.scalar(select(User.id).where(User.email == email)) is not None
