"""Reading what the engine recorded, as the people concerned would see it."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.notify.models import EmailDelivery, Notification


def in_app(event_id: int) -> set[int]:
    """User ids with an in-app notification of the event."""
    db.session.rollback()
    return set(db.session.scalars(select(Notification.user_id).where(Notification.event_id == event_id)))


def emails(event_id: int) -> dict[str, str]:
    """Address -> delivery status for the event."""
    db.session.rollback()
    return {email.lower(): status for email, status in db.session.execute(
        select(EmailDelivery.email, EmailDelivery.status).where(EmailDelivery.event_id == event_id))}


def delivery_for(event_id: int, address: str) -> EmailDelivery:
    db.session.rollback()
    return db.session.scalar(select(EmailDelivery).where(EmailDelivery.event_id == event_id,
                                                         EmailDelivery.email == address))
