"""In-app notifications: one row per (event, user), listed by /api/v1/notifications."""

from __future__ import annotations

from sqlalchemy import Boolean, literal, select
from sqlalchemy.dialects.postgresql import distinct_on, insert

from app.notify.channels import Channel, register
from app.notify.models import Notification


class InAppChannel(Channel):
    name = "inapp"
    label = "In the app"
    order = 10  # before email: the email fallback looks for the in-app notification

    def insert(self, plan, candidates):
        from app.notify.audiences import ORGANIZATION_ID, REQUEST_ID
        from app.notify.statements import EVENT_ID, KIND, user_and_preference_tables

        c = candidates
        users, prefs = user_and_preference_tables()
        chosen = (
            select(
                EVENT_ID.label("event_id"),
                c.c.user_id,
                ORGANIZATION_ID.label("organization_id"),
                REQUEST_ID.label("request_id"),
                KIND.label("kind"),
                c.c.audience,
                literal(plan.event_type.internal, Boolean).label("internal"),
            )
            .select_from(c.join(users, users.c.id == c.c.user_id).outerjoin(prefs, prefs.c.user_id == c.c.user_id))
            .where(*plan.user_filters(c, users, prefs, self.name))
            .ext(distinct_on(c.c.user_id))
            .order_by(c.c.user_id, c.c.priority)
        )
        columns = ["event_id", "user_id", "organization_id", "request_id", "kind", "audience", "internal"]
        return (insert(Notification.__table__).from_select(columns, chosen, include_defaults=False)
                .on_conflict_do_nothing(index_elements=["event_id", "user_id"]))


register(InAppChannel())
