"""The fan-out: one event in, every recipient's notifications out, in a constant number of queries.

1. one SELECT loads the event with what the rules depend on (locking the event row);
2. one more loads the category's overrides when the kind is category-scoped;
3. per channel, one INSERT ... SELECT ... ON CONFLICT DO NOTHING, whose SELECT is the UNION
   ALL of the audiences that reach that channel, filtered by the invariants and preferences
   and reduced to one row per recipient (DISTINCT ON, highest-priority audience wins);
4. one UPDATE marks the event dispatched; then commit, then each channel's after-commit hook.
Nothing in this depends on the number of recipients.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Boolean, Integer, String, func, literal, not_, or_, select, union_all, update
from sqlalchemy.dialects.postgresql import CITEXT

from app.accounts.models import User
from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.notify.audiences import AUDIENCES, EventContext, members_with
from app.notify.channels import CHANNELS, Channel
from app.notify.matrix import EVENT_TYPES, EventType, check_matrix, group_of, rules_for
from app.notify.models import (
    CategoryNotificationRule,
    NotificationPreference,
    OrganizationNotificationSettings,
)
from app.requests.models import ServiceRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EffectiveRule:
    audience: str
    channels: tuple[str, ...]
    group: str
    receipt: bool


@dataclass
class FanoutPlan:
    """One event's context and the rules that apply to it after settings and overrides."""

    ctx: EventContext
    event_type: EventType
    rules: list[EffectiveRule]
    counts: dict[str, int] = field(default_factory=dict)
    details: dict[str, int] = field(default_factory=dict)  # what a channel tells its after-commit hook

    def candidates(self, channel: Channel):
        """UNION ALL of the audiences reaching `channel`: user_id, address, priority, audience, grp, receipt, subscription."""
        parts = []
        for priority, rule in enumerate(self.rules):
            audience = AUDIENCES[rule.audience]
            if channel.name not in rule.channels or (audience.addresses_only and not channel.reaches_addresses):
                continue
            source = audience.build(self.ctx).subquery(f"aud_{priority}")
            parts.append(select(
                source.c.user_id, source.c.address,
                literal(priority, Integer).label("priority"),
                literal(rule.audience, String).label("audience"),
                literal(rule.group, String).label("grp"),
                literal(rule.receipt, Boolean).label("receipt"),
                literal(audience.subscription, Boolean).label("subscription"),
            ).where(or_(source.c.user_id.isnot(None), source.c.address.isnot(None))))
        if not parts:
            return None
        return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("candidates")

    def user_filters(self, c, users, prefs, channel: str) -> list:
        """The invariants and preferences every user recipient passes, on any channel."""
        ctx = self.ctx
        filters = [or_(c.c.user_id.is_(None), users.c.active.is_(True))]
        if not self.event_type.transactional:
            muted = func.concat(c.c.grp, ":" + channel) == func.any(prefs.c.muted)
            filters.append(or_(prefs.c.user_id.is_(None), not_(muted)))
        if ctx.actor_id is not None:
            # Nobody is told about their own action, unless the row is a receipt of it.
            filters.append(or_(c.c.receipt, c.c.user_id.is_(None), c.c.user_id != ctx.actor_id))
        if self.event_type.internal:
            # Internal content: members who may read the request, never an outside address.
            filters.append(c.c.user_id.in_(members_with(ctx.organization_id, "view_requests")))
        return filters

    def address_filters(self, c, address) -> list:
        """What an address must satisfy: not the actor's own, and never our own inbound domain."""
        filters = [address.isnot(None),
                   func.lower(func.split_part(address, "@", 2)) != current_app.config["INBOUND_DOMAIN"].lower()]
        if self.ctx.actor_email:
            filters.append(or_(c.c.receipt, address != literal(self.ctx.actor_email, CITEXT)))
        return filters


def load_plan(event_id: int) -> tuple[Event, FanoutPlan] | None:
    """The event (row-locked) and its plan; None when there is no such event."""
    actor = User.__table__.alias("actor")
    settings = OrganizationNotificationSettings
    row = db.session.execute(
        select(Event, ServiceRequest.category_id, actor.c.email, settings.disabled_kinds)
        .outerjoin(ServiceRequest, ServiceRequest.id == Event.request_id)
        .outerjoin(actor, actor.c.id == Event.actor_id)
        .outerjoin(settings, settings.organization_id == Event.organization_id)
        .where(Event.id == event_id)
        .with_for_update(of=Event)
    ).first()
    if row is None:
        return None
    event, category_id, actor_email, disabled_kinds = row
    ctx = EventContext(event_id=event.id, kind=event.kind, organization_id=event.organization_id,
                       request_id=event.request_id, category_id=category_id, actor_id=event.actor_id,
                       actor_email=actor_email, payload=event.payload or {})
    event_type = EVENT_TYPES.get(event.kind)
    if event_type is None:
        log.warning("event %s has unknown kind %r: nobody is notified", event.id, event.kind)
        return event, FanoutPlan(ctx, EventType(event.kind), [])
    if event_type.switchable and event.kind in (disabled_kinds or ()):
        return event, FanoutPlan(ctx, event_type, [])
    overrides = {}
    if event_type.category_scoped and category_id is not None:
        overrides = dict(db.session.execute(
            select(CategoryNotificationRule.audience, CategoryNotificationRule.channels).where(
                CategoryNotificationRule.category_id == category_id,
                CategoryNotificationRule.event_kind == event.kind)).all())
    return event, FanoutPlan(ctx, event_type, effective_rules(event.kind, overrides))


def effective_rules(kind: str, overrides: dict[str, list[str]]) -> list[EffectiveRule]:
    """The matrix defaults for `kind` with a category's overrides (audience -> channels) applied."""
    rules = []
    for rule in rules_for(kind):
        channels = tuple(overrides.pop(rule.audience, rule.channels))
        if channels:
            rules.append(EffectiveRule(rule.audience, channels, group_of(rule), rule.receipt))
    for audience, channels in overrides.items():  # audiences the category adds
        if channels:
            rules.append(EffectiveRule(audience, tuple(channels), AUDIENCES[audience].group, False))
    return rules


def fan_out(event_id: int) -> FanoutPlan | None:
    """Record every notification of one event, once; returns the plan with per-channel counts."""
    loaded = load_plan(event_id)
    if loaded is None:
        db.session.rollback()
        log.warning("event %s does not exist; nothing to fan out", event_id)
        return None
    event, plan = loaded
    if event.dispatched_at is not None:
        db.session.rollback()
        return None
    channels = sorted(CHANNELS.values(), key=lambda ch: ch.order)
    for channel in channels:
        candidates = plan.candidates(channel)
        if candidates is None:
            plan.counts[channel.name] = 0
            continue
        plan.counts[channel.name] = channel.write(plan, candidates)
    db.session.execute(update(Event).where(Event.id == event.id).values(dispatched_at=utcnow()))
    db.session.commit()
    for channel in channels:
        channel.after_commit(plan, plan.counts[channel.name])
    return plan


def user_and_preference_tables():
    """The aliases every channel joins: users and notification_preferences."""
    return User.__table__.alias("u"), NotificationPreference.__table__.alias("p")


check_matrix()  # a matrix that breaks an invariant by construction stops the worker at start
