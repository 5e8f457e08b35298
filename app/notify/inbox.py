"""A user's in-app notifications: list, unread count, mark seen (which cancels the email fallback)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.accounts.models import Organization, User
from app.db_types import utcnow
from app.errors import NotFound
from app.events.models import Event
from app.extensions import db
from app.links import page_url
from app.notify.audiences import REASONS
from app.notify.matrix import EVENT_TYPES
from app.notify.models import DeliveryStatus, EmailDelivery, Notification
from app.requests.models import ServiceRequest
from app.transactions import unit_of_work


def _summary(kind: str, public_id: str | None, organization: str | None) -> str:
    kind_type = EVENT_TYPES.get(kind)
    template = (kind_type.summary if kind_type else None) or kind
    return str(template).format(request=public_id or "", organization=organization or _("your organization"))


def _reason(audience: str, organization: str | None) -> str:
    reason = REASONS.get(audience)
    return _(reason).format(org=organization or _("the organization")) if reason else ""


def notification_list(user_id: int, unseen_only: bool = False):
    """The statement listing a user's notifications, newest first (rows for `present`)."""
    actor = User.__table__.alias("actor")
    statement = (
        select(Notification, Event.actor_id, actor.c.name.label("actor_name"), ServiceRequest.public_id,
               Organization.slug, Organization.name.label("organization_name"))
        .join(Event, Event.id == Notification.event_id)
        .outerjoin(actor, actor.c.id == Event.actor_id)
        .outerjoin(ServiceRequest, ServiceRequest.id == Notification.request_id)
        .outerjoin(Organization, Organization.id == Notification.organization_id)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
    )
    return statement.where(Notification.seen_at.is_(None)) if unseen_only else statement


def present(row) -> dict:
    """One notification as the API shows it."""
    note: Notification = row.Notification
    return {
        "id": note.id, "event": note.kind, "request_id": note.request_id, "created_at": note.created_at,
        "seen_at": note.seen_at, "request_public_id": row.public_id, "organization": row.slug,
        "summary": _summary(note.kind, row.public_id, row.organization_name),
        "actor": {"id": row.actor_id, "name": row.actor_name} if row.actor_id else None,
        "reason": _reason(note.audience, row.organization_name),
        "internal": note.internal,
        "url": page_url("request", public_id=row.public_id) if row.public_id else None,
    }


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.seen_at.is_(None))) or 0


def _skip_fallbacks(user_id: int, notification_filter) -> None:
    # Seen in time: the email waiting for the fallback delay is not sent (OneDesk's rule).
    seen = select(Notification.event_id).where(Notification.user_id == user_id, notification_filter)
    db.session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.user_id == user_id, EmailDelivery.event_id.in_(seen),
               EmailDelivery.status == DeliveryStatus.PENDING.value, EmailDelivery.awaits_seen.is_(True))
        .values(status=DeliveryStatus.SKIPPED.value, smtp_reply="seen in the app before the email fallback"))


@unit_of_work()
def mark_seen(user_id: int, notification_id: int) -> dict:
    """Mark one of the user's notifications seen (idempotent) and commit."""
    note = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user_id))
    if note is None:
        raise NotFound(_("No notification %(notification_id)s.", notification_id=notification_id), {"id": notification_id})
    if note.seen_at is None:
        note.seen_at = utcnow()
        db.session.flush()
        _skip_fallbacks(user_id, Notification.id == notification_id)
    return present(db.session.execute(notification_list(user_id).where(Notification.id == notification_id)).one())


@unit_of_work()
def mark_all_seen(user_id: int) -> int:
    """Mark every unseen notification of the user seen and commit; returns how many."""
    now = utcnow()
    marked = db.session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.seen_at.is_(None))
        .values(seen_at=now).execution_options(preserve_rowcount=True)).rowcount
    _skip_fallbacks(user_id, Notification.seen_at == now)
    return marked
