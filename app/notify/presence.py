"""Who is using the app right now: users.last_seen_at, written at most once a minute per user.

The email fallback (app/notify/channels/email.py) waits for a user seen within
APP_ACTIVE_WINDOW before emailing, and emails everyone else at once. The HTTP layer calls
`note_seen` for each authenticated caller (app/api/presence.py).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, update

from app.accounts.models import User
from app.db_types import utcnow
from app.extensions import db

RESOLUTION = timedelta(seconds=60)


def note_seen(user: User) -> None:
    """Note that `user` is using the app now (no query when already noted within RESOLUTION)."""
    now = utcnow()
    known = user.__dict__.get("last_seen_at")  # not expired: no query to learn it
    if known is not None and now - known < RESOLUTION:
        return
    # Its own connection: whatever the view left in the session is neither committed nor disturbed.
    # One statement in autocommit: no BEGIN and COMMIT round trips around it on the request's path.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # A request that deleted its own account leaves no trace of the visit (deleted_at).
        conn.execute(update(User).where(User.id == user.id, User.deleted_at.is_(None),
                                        or_(User.last_seen_at.is_(None), User.last_seen_at < now - RESOLUTION))
                     .values(last_seen_at=now))
