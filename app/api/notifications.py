"""/api/v1/notifications: the caller's in-app notifications."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import require_user
from app.notify import inbox
from app.notify.schemas import (
    MarkedSchema,
    NotificationListArgs,
    NotificationSchema,
    UnreadCountSchema,
)
from app.pagination import page_schema, paginate

URL_PREFIX = "/notifications"
blp = Blueprint("notifications", __name__, description="In-app notifications")


@blp.get("")
@blp.arguments(NotificationListArgs, location="query")
@blp.response(200, page_schema(NotificationSchema))
def list_notifications(args):
    """The caller's notifications, newest first (`unseen=true` for only the unseen ones)."""
    user = require_user()
    page = paginate(inbox.notification_list(user.id, args["unseen"]), args["page"], args["per_page"], scalars=False)
    return {**page, "items": [inbox.present(row) for row in page["items"]]}


@blp.get("/unread-count")
@blp.response(200, UnreadCountSchema)
def unread_count():
    """How many notifications the caller has not seen."""
    return {"count": inbox.unread_count(require_user().id)}


@blp.post("/<int:notification_id>/seen")
@blp.response(200, NotificationSchema)
def mark_seen(notification_id: int):
    """Mark one notification seen; an email still waiting for the fallback delay is then not sent."""
    return inbox.mark_seen(require_user().id, notification_id)


@blp.post("/seen-all")
@blp.response(200, MarkedSchema)
def mark_all_seen():
    """Mark every notification seen."""
    return {"marked": inbox.mark_all_seen(require_user().id)}
