"""Who is using the app right now: users.last_seen_at, written at most once a minute per user.

The email fallback (app/notify/channels/email.py) waits for a user seen within
APP_ACTIVE_WINDOW before emailing, and emails everyone else at once. The HTTP layer calls
`note_seen` for each authenticated caller (app/api/presence.py).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, update

from app.accounts.models import User
from app.accounts.tokens import Caller
from app.db_types import utcnow
from app.extensions import db

RESOLUTION = timedelta(seconds=60)


def note_seen(caller: Caller) -> None:
    """Note that the caller is using the app now (no query when, as last read, they were seen within RESOLUTION)."""
    now = utcnow()
    if caller.last_seen_at is not None and now - caller.last_seen_at < RESOLUTION:
        return
    # Its own connection: whatever the view left in the session is neither committed nor disturbed.
    # One statement in autocommit: no BEGIN and COMMIT round trips around it on the request's path.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # A request that deleted its own account leaves no trace of the visit (deleted_at).
        conn.execute(update(User).where(User.id == caller.id, User.deleted_at.is_(None),
                                        or_(User.last_seen_at.is_(None), User.last_seen_at < now - RESOLUTION))
                     .values(last_seen_at=now))
