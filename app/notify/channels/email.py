"""Email: one delivery row per (event, address); the delivery actor sends them (app/notify/delivery.py).

The status a row starts in is decided here, in SQL, for every recipient at once:
`suppressed` (the address bounced or unsubscribed), `held` (the user reads a daily digest),
or `pending` with `send_after` now, or after EMAIL_FALLBACK_DELAY when the user is active in
the app and also got the in-app notification (`awaits_seen`: seen in time, never emailed).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import (
    BigInteger,
    Boolean,
    Integer,
    String,
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

from app.extensions import db
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
        from app.notify.fanout import user_and_preference_tables

        c, ctx, config = candidates, plan.ctx, current_app.config
        users, prefs = user_and_preference_tables()
        suppressed = SuppressedAddress.__table__.alias("s")
        address = cast(func.coalesce(c.c.address, users.c.email), CITEXT)
        transactional = plan.event_type.transactional
        status = case(
            (or_(suppressed.c.email.isnot(None),
                 and_(c.c.address.is_(None), users.c.email_bounced_at.isnot(None))), DeliveryStatus.SUPPRESSED.value),
            (and_(literal(not transactional, Boolean), prefs.c.email_frequency == EmailFrequency.DAILY.value),
             DeliveryStatus.HELD.value),
            else_=DeliveryStatus.PENDING.value,
        )
        got_in_app = exists().where(Notification.event_id == ctx.event_id, Notification.user_id == c.c.user_id)
        active_window = timedelta(seconds=config["APP_ACTIVE_WINDOW"])
        awaits_seen = case((users.c.last_seen_at > func.now() - active_window, got_in_app), else_=False)
        wants_email = or_(c.c.user_id.is_(None), literal(transactional, Boolean), prefs.c.user_id.is_(None),
                          prefs.c.email_frequency != EmailFrequency.NEVER.value)
        chosen = (
            select(
                literal(ctx.event_id, BigInteger).label("event_id"),
                literal(ctx.organization_id, Integer).label("organization_id"),
                literal(ctx.request_id, BigInteger).label("request_id"),
                c.c.user_id,
                address.label("email"),
                literal(ctx.kind, String).label("kind"),
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
            .ext(distinct_on(address))
            .order_by(address, c.c.priority)
            .subquery("chosen")
        )
        delay = timedelta(seconds=config["EMAIL_FALLBACK_DELAY"])
        send_after = case((chosen.c.awaits_seen, func.now() + delay), else_=func.now())
        rows = select(*[chosen.c[name] for name in COLUMNS[:-1]], send_after.label("send_after"))
        return insert(EmailDelivery).from_select(COLUMNS, rows).on_conflict_do_nothing(
            index_elements=["event_id", "email"])

    def write(self, plan, candidates) -> int:
        # Still one statement: the INSERT in a CTE, counting what is due now and what waits.
        inserted = self.insert(plan, candidates).returning(EmailDelivery.status, EmailDelivery.awaits_seen) \
            .cte("inserted")
        due_now = and_(inserted.c.status == DeliveryStatus.PENDING.value, not_(inserted.c.awaits_seen))
        total, due, waiting = db.session.execute(select(
            func.count(), func.count().filter(due_now), func.count().filter(inserted.c.awaits_seen))
            .select_from(inserted)).one()
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
