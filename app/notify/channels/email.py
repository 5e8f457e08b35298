"""Email: one delivery row per (event, address); the delivery actor sends them (app/notify/delivery.py).

The status a row starts in is decided here, in SQL, for every recipient at once:
`suppressed` (the address bounced or unsubscribed), `held` (the user reads a daily digest),
or `pending` with `send_after` now, or after EMAIL_FALLBACK_DELAY when the user is active in
the app and also got the in-app notification (`awaits_seen`: seen in time, never emailed).
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import (
    Boolean,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import CITEXT, distinct_on, insert

from app.inbound.models import SuppressedAddress
from app.notify.channels import Channel, register
from app.notify.models import DeliveryStatus, EmailDelivery, EmailFrequency, Notification

log = logging.getLogger(__name__)

COLUMNS = ["event_id", "organization_id", "request_id", "user_id", "email", "kind", "audience", "pref_group",
           "internal", "subscription", "awaits_seen", "status", "send_after"]


class EmailChannel(Channel):
    name = "email"
    label = "Email"
    reaches_addresses = True
    order = 20

    def insert(self, plan, candidates):
        from app.notify.audiences import ORGANIZATION_ID, REQUEST_ID
        from app.notify.statements import (
            ACTIVE_WINDOW,
            EVENT_ID,
            FALLBACK_DELAY,
            KIND,
            user_and_preference_tables,
        )

        c = candidates
        users, prefs = user_and_preference_tables()
        suppressed = SuppressedAddress.__table__.alias("s")
        address = cast(func.coalesce(c.c.address, users.c.email), CITEXT)
        # Deduplicate by the lowercased address in byte order: the same as citext equality, far cheaper to sort.
        address_key = func.lower(cast(address, Text)).collate("C")
        transactional = plan.event_type.transactional
        status = case(
            (or_(suppressed.c.email.isnot(None),
                 and_(c.c.address.is_(None), users.c.email_bounced_at.isnot(None))), DeliveryStatus.SUPPRESSED.value),
            (and_(literal(not transactional, Boolean), prefs.c.email_frequency == EmailFrequency.DAILY.value),
             DeliveryStatus.HELD.value),
            else_=DeliveryStatus.PENDING.value,
        )
        got_in_app = exists().where(Notification.event_id == EVENT_ID, Notification.user_id == c.c.user_id)
        awaits_seen = case((users.c.last_seen_at > func.now() - ACTIVE_WINDOW, got_in_app), else_=False)
        wants_email = or_(c.c.user_id.is_(None), literal(transactional, Boolean), prefs.c.user_id.is_(None),
                          prefs.c.email_frequency != EmailFrequency.NEVER.value)
        chosen = (
            select(
                EVENT_ID.label("event_id"),
                ORGANIZATION_ID.label("organization_id"),
                REQUEST_ID.label("request_id"),
                c.c.user_id,
                address.label("email"),
                KIND.label("kind"),
                c.c.audience,
                c.c.grp.label("pref_group"),
                literal(plan.event_type.internal, Boolean).label("internal"),
                and_(c.c.subscription, c.c.user_id.isnot(None)).label("subscription"),
                awaits_seen.label("awaits_seen"),
                status.label("status"),
            )
            .select_from(
                c.outerjoin(users, users.c.id == c.c.user_id)
                .outerjoin(prefs, prefs.c.user_id == c.c.user_id)
                .outerjoin(suppressed, suppressed.c.email == address))
            .where(*plan.user_filters(c, users, prefs, self.name), *plan.address_filters(c, address), wants_email)
            .ext(distinct_on(address_key))
            .order_by(address_key, c.c.priority)
            .subquery("chosen")
        )
        send_after = case((chosen.c.awaits_seen, func.now() + FALLBACK_DELAY), else_=func.now())
        rows = select(*[chosen.c[name] for name in COLUMNS[:-1]], send_after.label("send_after"))
        table = EmailDelivery.__table__  # Core, not ORM: the ORM would take the parameters for a bulk insert
        inserted = (insert(table).from_select(COLUMNS, rows, include_defaults=False)
                    .on_conflict_do_nothing(index_elements=["event_id", "email"])
                    .returning(table.c.status, table.c.awaits_seen).cte("inserted"))
        # Still one statement: the INSERT in a CTE, counting what is due now and what waits.
        due_now = and_(inserted.c.status == DeliveryStatus.PENDING.value, not_(inserted.c.awaits_seen))
        return select(func.count(), func.count().filter(due_now),
                      func.count().filter(inserted.c.awaits_seen)).select_from(inserted)

    def read(self, plan, cursor) -> int:
        total, due, waiting = cursor.fetchone()
        plan.details.update(email_due=due, email_waiting=waiting)
        return total

    def after_commit(self, plan, inserted: int) -> None:
        from app.notify.actors import send_due_emails

        try:
            if plan.details.get("email_due"):
                send_due_emails.send()
            if plan.details.get("email_waiting"):
                # Fallbacks fall due after the delay (the scheduler's sweep would find them too).
                send_due_emails.send_with_options(delay=current_app.config["EMAIL_FALLBACK_DELAY"] * 1000 + 500)
        except Exception:
            log.exception("could not wake the delivery actor for event %s; the sweep will", plan.ctx.event_id)


register(EmailChannel())
