"""What the fan-out's statement and each channel's statement share: the event values they bind
and the tables they join. Its own module, so the channels need not import the fan-out."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, Interval, String, Text, bindparam, cast, literal_column
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

# The claim (app/notify/fanout.py) sets this, for its transaction only, to the event it took.
# Every channel statement writes rows only under CLAIMED, so statements sent in the same
# pipeline as a claim that took nothing (already dispatched, or the message's facts out of
# date) write nothing. A condition without columns: PostgreSQL checks it once, before the plan
# runs (a one-time filter), and estimates nothing from it.
CLAIMED_SETTING = "civic.fanout_claimed_event"
CLAIMED = literal_column(f"current_setting('{CLAIMED_SETTING}', true)", Text) == cast(EVENT_ID, Text)


def user_and_preference_tables():
    """The aliases every channel joins: users and notification_preferences."""
    return User.__table__.alias("u"), NotificationPreference.__table__.alias("p")
