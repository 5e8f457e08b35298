"""Keeping the messages we compose, for the email log and a resident's export, until retention ends.

One statement per delivery run's batch. The retention sweep (app/privacy/retention.py)
empties `email_bodies.message` after the organization's period, leaving `expired_at`.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from app.extensions import db
from app.notify.models import EmailBody


def keep_bodies(messages: list[tuple[int, int | None, bytes]]) -> None:
    """Store (delivery id, organization id, MIME bytes) rows; a retry's copy replaces the last one."""
    if not messages:
        return
    statement = insert(EmailBody).values([
        {"delivery_id": delivery_id, "organization_id": organization_id, "message": data}
        for delivery_id, organization_id, data in messages])
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[EmailBody.delivery_id],
        set_={"message": statement.excluded.message, "stored_at": func.now(), "expired_at": None}))
