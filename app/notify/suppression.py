"""Addresses we must not email: hard bounces and one-click unsubscribes of outside addresses.

`suppress_address(email, reason)` is the one way in (the inbound helper calls it for DSNs
of hard bounces; the delivery actor for 5.1.x rejections; unsubscribe for outside
addresses). It also marks the user owning that address as bounced (users.email_bounced_at)
when the reason is a bounce. The fan-out reads both in SQL: such addresses get nothing.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert

from app.accounts.models import User
from app.db_types import utcnow
from app.extensions import db
from app.inbound.models import SuppressedAddress
from app.notify.models import DeliveryStatus, EmailDelivery

BOUNCE_REASON_PREFIX = "bounce"


def suppress_address(email: str, reason: str) -> None:
    """Never email `email` again (flushed, not committed); `reason` starting "bounce" marks the user bounced."""
    email = email.strip()
    db.session.execute(
        insert(SuppressedAddress).values(email=email, reason=reason[:500]).on_conflict_do_update(
            index_elements=["email"], set_={"reason": reason[:500]}))
    if reason.lower().startswith(BOUNCE_REASON_PREFIX):
        db.session.execute(update(User).where(User.email == email, User.email_bounced_at.is_(None))
                           .values(email_bounced_at=utcnow()))
    # What is still waiting for this address is not sent either.
    db.session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.email == email,
               EmailDelivery.status.in_((DeliveryStatus.PENDING.value, DeliveryStatus.HELD.value)))
        .values(status=DeliveryStatus.SUPPRESSED.value, smtp_reply=f"suppressed: {reason[:200]}"))
