"""Each user's notification preferences: per group and channel, and an email frequency."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from app.errors import ValidationFailed
from app.extensions import db
from app.notify.audiences import GROUPS
from app.notify.channels import recipient_channels
from app.notify.models import EmailFrequency, NotificationPreference
from app.transactions import unit_of_work


def _muted_key(group: str, channel: str) -> str:
    return f"{group}:{channel}"


def get_preferences(user_id: int) -> dict:
    """The user's choices, every group and channel spelled out (defaults where they chose nothing)."""
    row = db.session.get(NotificationPreference, user_id)
    muted = set(row.muted) if row else set()
    return {
        "email_frequency": row.email_frequency if row else EmailFrequency.IMMEDIATELY.value,
        "in_app_alert": bool(row and row.in_app_alert),
        "groups": [
            {"group": group, "label": str(label), "editable": editable,
             "channels": {name: _muted_key(group, name) not in muted for name in recipient_channels()}}
            for group, (label, editable) in GROUPS.items()
        ],
    }


@unit_of_work()
def update_preferences(user_id: int, email_frequency: str | None = None,
                       groups: dict[str, dict[str, bool]] | None = None, in_app_alert: bool | None = None) -> dict:
    """Apply the given changes (others stay) and commit; 422 names a group or channel that cannot change."""
    row = db.session.get(NotificationPreference, user_id, with_for_update=True)
    if row is None:
        row = NotificationPreference(user_id=user_id, email_frequency=EmailFrequency.IMMEDIATELY.value, muted=[])
        db.session.add(row)
    muted = set(row.muted or [])
    for group, channels in (groups or {}).items():
        if group not in GROUPS:
            raise ValidationFailed(_("No notification group %(group)s.", group=repr(group)), {"groups": {group: [_("Unknown group.")]}})
        if not GROUPS[group][1]:
            raise ValidationFailed(_("%(group)s cannot be turned off.", group=GROUPS[group][0]),
                                   {"groups": {group: [_("Not editable.")]}})
        for channel, enabled in channels.items():
            if channel not in recipient_channels():
                raise ValidationFailed(_("No channel %(channel)s.", channel=repr(channel)), {"groups": {group: {channel: [_("Unknown channel.")]}}})
            (muted.discard if enabled else muted.add)(_muted_key(group, channel))
    if email_frequency is not None:
        row.email_frequency = email_frequency
    if in_app_alert is not None:
        row.in_app_alert = in_app_alert
    row.muted = sorted(muted)
    return get_preferences(user_id)


def mute(user_id: int, group: str, channel: str) -> None:
    """Turn one group off on one channel (flushed, not committed): one-click unsubscribe uses it."""
    key = _muted_key(group, channel)
    table = NotificationPreference.__table__
    db.session.execute(
        insert(NotificationPreference).values(user_id=user_id, muted=[key]).on_conflict_do_update(
            index_elements=["user_id"],
            set_={"muted": func.array_append(func.array_remove(table.c.muted, key), key)}))


def set_email_frequency(user_id: int, frequency: str) -> None:
    """Set the email frequency (flushed, not committed)."""
    db.session.execute(
        insert(NotificationPreference).values(user_id=user_id, email_frequency=frequency, muted=[])
        .on_conflict_do_update(index_elements=["user_id"], set_={"email_frequency": frequency}))
