"""/api/v1/me/preferences and /api/v1/me/notification-log: the caller's notification settings and history."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import require_user
from app.notify import preferences
from app.notify.logs import user_notification_log
from app.notify.schemas import NotificationLogItemSchema, PreferencesSchema, PreferencesUpdateSchema
from app.pagination import PaginationArgs, page_schema, paginate

URL_PREFIX = "/me"
blp = Blueprint("me_notifications", __name__, description="My notification preferences and log")


@blp.get("/preferences")
@blp.response(200, PreferencesSchema)
def get_preferences():
    """Per group and channel, on or off, and how often email comes (immediately, daily digest, never)."""
    return preferences.get_preferences(require_user().id)


@blp.put("/preferences")
@blp.arguments(PreferencesUpdateSchema)
@blp.response(200, PreferencesSchema)
def put_preferences(body):
    """Change some preferences; account and security emails cannot be turned off."""
    return preferences.update_preferences(require_user().id, body.get("email_frequency"), body.get("groups"),
                                          body.get("in_app_alert"))


@blp.get("/notification-log")
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, page_schema(NotificationLogItemSchema))
def notification_log(args):
    """What you were notified of, when, on which channel, and what became of it."""
    page = paginate(user_notification_log(require_user().id), args["page"], args["per_page"], scalars=False)
    return {**page, "items": [row._asdict() for row in page["items"]]}
