"""The header's unread-notifications badge, which every page shows (app/portal/web.py)."""

from __future__ import annotations

from flask import current_app

from app.api.auth import current_user
from app.notify import inbox, preferences


def unread_badge() -> dict | None:
    """What the header's badge needs: the count now, where to ask again, and how often."""
    user = current_user()
    if user is None:
        return None
    return {"count": inbox.unread_count(user.id), "poll_ms": current_app.config["PORTAL_BADGE_POLL_MS"],
            "alert": preferences.get_preferences(user.id)["in_app_alert"]}
