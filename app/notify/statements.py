"""What the fan-out's statement and each channel's statement share: the event values they bind
and the tables they join. Its own module, so the channels need not import the fan-out."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, Interval, String, Text, bindparam
from sqlalchemy.dialects.postgresql import CITEXT

from app.accounts.models import User
from app.notify.models import NotificationPreference

# Event-level values the channel statements bind (besides the audiences' own, see audiences.py).
EVENT_ID = bindparam("event_id", type_=BigInteger)
KIND = bindparam("kind", type_=String)
ACTOR_ID = bindparam("actor_id", type_=Integer)
ACTOR_EMAIL = bindparam("actor_email", type_=CITEXT)
INBOUND_DOMAIN = bindparam("inbound_domain", type_=Text)
ACTIVE_WINDOW = bindparam("active_window", type_=Interval)
FALLBACK_DELAY = bindparam("fallback_delay", type_=Interval)


def user_and_preference_tables():
    """The aliases every channel joins: users and notification_preferences."""
    return User.__table__.alias("u"), NotificationPreference.__table__.alias("p")
