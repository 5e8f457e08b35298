"""The after_request hook that tells app.notify.presence who is using the app."""

from __future__ import annotations

from app.api.auth import identified_caller
from app.notify.presence import note_seen


def touch_last_seen(response):
    """Note that the authenticated caller is active; the response is unchanged."""
    caller = identified_caller()
    if caller is not None:
        note_seen(caller)
    return response
