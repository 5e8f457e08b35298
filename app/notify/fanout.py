"""The fan-out: one event in, every recipient's notifications out, in a constant number of queries.

1. one UPDATE ... RETURNING claims the event (sets dispatched_at, takes its row lock, skips it
   when already dispatched) and returns what the rules depend on: the request's category,
   the actor's address, the organization's switches and the category's overrides;
2. per channel, one INSERT ... SELECT ... ON CONFLICT DO NOTHING, whose SELECT is the UNION
   ALL of the audiences that reach that channel, filtered by the invariants and preferences
   and reduced to one row per recipient (DISTINCT ON, highest-priority audience wins), and
   empty unless the claim took the event (statements.py: CLAIMED);
3. commit (dispatched_at and the rows together, or neither), then each channel's hook.
Nothing depends on the number of recipients. Statements are built once per shape (event kind,
rules after overrides, channel) with bound parameters, and reused. When the message carries
the event's facts (app/events/service.py: fanout_facts), the rules and parameters come from
them, so the claim (which checks them) goes out with the channel statements and the COMMIT:
one round trip on a pooled connection (app/notify/pipeline.py). Without facts, or when the
claim finds them out of date, the claim's row is read first: two.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from psycopg.rows import dict_row
from sqlalchemy import (
    Boolean,
    Integer,
    String,
    func,
    literal,
    not_,
    or_,
    select,
    text,
    union_all,
)

from app.compiled import CompiledStatement
from app.events.kinds import KINDS
from app.notify.audiences import AUDIENCES, ORGANIZATION_ID, EventContext, members_with
from app.notify.channels import CHANNELS, Channel
from app.notify.matrix import (
    EMAIL,
    EVENT_TYPES,
    EventType,
    audience_refusal,
    check_matrix,
    group_of,
    rules_for,
)
from app.notify.pipeline import (
    pipelined_transaction,
    pooled_connection,
    queue_commit,
)
from app.notify.statements import (  # noqa: F401  (the channels' statements bind the same values)
    ACTIVE_WINDOW,
    ACTOR_EMAIL,
    ACTOR_ID,
    CLAIMED,
    CLAIMED_SETTING,
    EVENT_ID,
    FALLBACK_DELAY,
    INBOUND_DOMAIN,
    KIND,
    user_and_preference_tables,
)

log = logging.getLogger(__name__)

# The claim also sets the transaction's planner settings (one round trip fewer): JIT compiles a
# big INSERT ... SELECT for half a second and saves nothing on it; the dedup sort of 100,000
# recipients fits in memory with a little more work_mem. The channel statements run the plan
# PostgreSQL made once for their shape (generic), restricted to nested loops over the
# candidates' primary keys: planning them anew for every event was most of the fan-out's
# fixed cost, and the plans made with the event's values (hashing every user) were slower up
# to 10,000 recipients (against bench/fanout.py's floor: 2.4x there, against 1.15x) and
# hardly better at 100,000 (1.2x against 1.3x); a generic plan left free to hash joined every user for two
# recipients, 25 times slower.
# What the claim returns: the planner settings (above), the mark the channel statements check
# (statements.py: CLAIMED), and what the rules and the statements' parameters depend on.
CLAIMED_EVENT = f"""
RETURNING set_config('jit', 'off', true), set_config('work_mem', '64MB', true),
  set_config('plan_cache_mode', 'force_generic_plan', true),
  set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),
  set_config('{CLAIMED_SETTING}', e.id::text, true),
  e.id, e.kind, e.organization_id, e.request_id, e.actor_id, e.payload,
  (SELECT r.category_id FROM service_requests r WHERE r.id = e.request_id) AS category_id,
  (SELECT u.email FROM users u WHERE u.id = e.actor_id) AS actor_email,
  (SELECT s.disabled_kinds FROM organization_notification_settings s
    WHERE s.organization_id = e.organization_id) AS disabled_kinds,
  (SELECT json_object_agg(o.audience, o.channels) FROM category_notification_rules o
    WHERE o.event_kind = e.kind
      AND o.category_id = (SELECT r.category_id FROM service_requests r WHERE r.id = e.request_id)) AS overrides
"""
CLAIM_EVENT = text("""
UPDATE events e SET dispatched_at = now()
WHERE e.id = :event_id AND e.dispatched_at IS NULL
""" + CLAIMED_EVENT)

# The claim when the message carries the event's facts (app/events/service.py: fanout_facts):
# the channel statements, built from those facts, were sent with it, so it takes the event
# only if the facts are still what the claim above would read, and the rules the ones with no
# switch and no override. Otherwise it takes nothing, the channel statements write nothing
# (CLAIMED), and the fan-out claims again as above.
CLAIM_EVENT_AS_SENT = text("""
UPDATE events e SET dispatched_at = now()
WHERE e.id = :event_id AND e.dispatched_at IS NULL
  AND e.kind = :kind AND e.organization_id IS NOT DISTINCT FROM :organization_id
  AND e.request_id IS NOT DISTINCT FROM :request_id AND e.actor_id IS NOT DISTINCT FROM :actor_id
  AND e.payload = CAST(:payload AS jsonb)
  AND (SELECT r.category_id FROM service_requests r WHERE r.id = e.request_id) IS NOT DISTINCT FROM :category_id
  AND (SELECT u.email FROM users u WHERE u.id = e.actor_id) IS NOT DISTINCT FROM CAST(:actor_email AS citext)
  AND NOT (:check_switch AND EXISTS (SELECT FROM organization_notification_settings s
    WHERE s.organization_id = e.organization_id AND e.kind = ANY(s.disabled_kinds)))
  AND NOT (:check_overrides AND EXISTS (SELECT FROM category_notification_rules o
    WHERE o.event_kind = e.kind AND o.category_id = :category_id))
""" + CLAIMED_EVENT)


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
    rules: tuple[EffectiveRule, ...]
    counts: dict[str, int] = field(default_factory=dict)
    statements: int = 0  # how many the fan-out sent (the claim and one per channel that applies)
    details: dict[str, int] = field(default_factory=dict)  # what a channel tells its after-commit hook

    def params(self) -> dict:
        config = current_app.config
        return {**self.ctx.params(), "inbound_domain": config["INBOUND_DOMAIN"].lower(),
                "active_window": timedelta(seconds=config["APP_ACTIVE_WINDOW"]),
                "fallback_delay": timedelta(seconds=config["EMAIL_FALLBACK_DELAY"])}

    def statement(self, channel: Channel):
        """The channel's INSERT for this plan's shape (built once per shape), or None when nobody is in it."""
        # Keyed by the kind's name, which stands for its EventType: hashing the type hashes its
        # lazily translated label, a tenth of the fan-out's own Python time.
        return _statement(channel.name, self.rules, self.ctx.kind)

    def candidates(self, channel: Channel):
        """UNION ALL of the audiences reaching `channel`: user_id, address, priority, audience, grp, receipt, subscription."""
        parts = []
        for priority, rule in enumerate(self.rules):
            audience = AUDIENCES[rule.audience]
            if channel.name not in rule.channels or (audience.addresses_only and not channel.reaches_addresses):
                continue
            source = audience.build().subquery(f"aud_{priority}")
            parts.append(select(
                source.c.user_id, source.c.address,
                literal(priority, Integer).label("priority"),
                literal(rule.audience, String).label("audience"),
                literal(rule.group, String).label("grp"),
                literal(rule.receipt, Boolean).label("receipt"),
                literal(audience.subscription, Boolean).label("subscription"),
            ).where(or_(source.c.user_id.isnot(None), source.c.address.isnot(None)), CLAIMED))
        if not parts:
            return None
        return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("candidates")

    def user_filters(self, c, users, prefs, channel: str) -> list:
        """The invariants and preferences every user recipient passes, on any channel."""
        filters = [or_(c.c.user_id.is_(None), users.c.active.is_(True))]
        if not self.event_type.transactional:
            muted = func.concat(c.c.grp, ":" + channel) == func.any(prefs.c.muted)
            filters.append(or_(prefs.c.user_id.is_(None), not_(muted)))
        # Nobody is told about their own action, unless the row is a receipt of it.
        filters.append(or_(c.c.receipt, c.c.user_id.is_(None), c.c.user_id.is_distinct_from(ACTOR_ID)))
        if self.event_type.internal:
            # Internal content: members who may read the request, never an outside address.
            filters.append(c.c.user_id.in_(members_with(ORGANIZATION_ID, "view_requests")))
        return filters

    @staticmethod
    def address_filters(c, address) -> list:
        """What an address must satisfy: not the actor's own, and never our own inbound domain."""
        return [address.isnot(None),
                func.lower(func.split_part(address, "@", 2)) != INBOUND_DOMAIN,
                or_(c.c.receipt, address.is_distinct_from(ACTOR_EMAIL))]


@lru_cache(maxsize=512)
def _statement(channel_name: str, rules: tuple[EffectiveRule, ...], kind: str):
    channel = CHANNELS[channel_name]
    event_type = EVENT_TYPES.get(kind) or EventType(kind)
    plan = FanoutPlan(ctx=None, event_type=event_type, rules=rules)  # a shape: no event values
    candidates = plan.candidates(channel)
    return None if candidates is None else CompiledStatement(channel.insert(plan, candidates))


def effective_rules(kind: str, overrides: dict[str, list[str]]) -> tuple[EffectiveRule, ...]:
    """The matrix defaults for `kind` with a category's overrides (audience -> channels) applied."""
    overrides = dict(overrides)
    rules = []
    for rule in rules_for(kind):
        channels = tuple(overrides.pop(rule.audience, rule.channels))
        if channels:
            rules.append(EffectiveRule(rule.audience, channels, group_of(rule), rule.receipt))
    for audience, channels in sorted(overrides.items()):  # audiences the category adds
        if channels:
            rules.append(EffectiveRule(audience, tuple(sorted(channels)), AUDIENCES[audience].group, False))
    return tuple(rules)


def payload_rules(kind: str, payload: dict) -> tuple[EffectiveRule, ...]:
    """The one email row an automation's event names (nobody, if the audience is not allowed)."""
    audience = payload.get("audience")
    # audience_refusal also keeps out audiences that only the events naming them may use.
    if not isinstance(audience, str) or audience_refusal(kind, audience) is not None:
        log.warning("%s names audience %r, which it may not: nobody is notified", kind, audience)
        return ()
    return (EffectiveRule(audience, (EMAIL,), AUDIENCES[audience].group, False),)


@lru_cache(maxsize=2)
def _compiled(claim) -> CompiledStatement:
    return CompiledStatement(claim)


def plan_for(ctx: EventContext, disabled_kinds, overrides: dict) -> FanoutPlan:
    """The event's plan: the matrix's rules for its kind after the organization's switch and the category's overrides."""
    event_type = EVENT_TYPES.get(ctx.kind)
    if event_type is None:
        if ctx.kind not in KINDS:  # recorded before its kind left the catalogue
            log.warning("event %s has unknown kind %r: nobody is notified", ctx.event_id, ctx.kind)
        return FanoutPlan(ctx, EventType(ctx.kind), ())  # audit-only: nobody, by design
    if event_type.switchable and ctx.kind in disabled_kinds:
        return FanoutPlan(ctx, event_type, ())
    if event_type.audience_from_payload:
        return FanoutPlan(ctx, event_type, payload_rules(ctx.kind, ctx.payload))
    return FanoutPlan(ctx, event_type, effective_rules(ctx.kind, overrides if event_type.category_scoped else {}))


def _context(event_id: int, facts) -> EventContext:
    """The event's context from its facts: the claim's row, or the message's (the same names)."""
    return EventContext(event_id=event_id, kind=facts["kind"], organization_id=facts["organization_id"],
                        request_id=facts["request_id"], category_id=facts["category_id"], actor_id=facts["actor_id"],
                        actor_email=facts["actor_email"], payload=facts["payload"] or {})


def claim_event(conn, event_id: int) -> FanoutPlan | None:
    """Mark the event dispatched (in the open transaction on `conn`) and return its plan; None when already taken."""
    row = _compiled(CLAIM_EVENT).send(conn, {"event_id": event_id}, row_factory=dict_row).fetchone()
    if row is None:
        return None
    return plan_for(_context(event_id, row), row["disabled_kinds"] or (), row["overrides"] or {})


def plan_as_sent(event_id: int, facts: dict) -> tuple[FanoutPlan, dict]:
    """The plan the message's facts give when no switch and no override applies, and the claim that checks so."""
    ctx = _context(event_id, facts)
    plan = plan_for(ctx, (), {})
    event_type = EVENT_TYPES.get(ctx.kind)
    checks = {"check_switch": event_type is not None and event_type.switchable,
              "check_overrides": event_type is not None and event_type.category_scoped
              and not event_type.audience_from_payload}
    return plan, {"event_id": event_id, "kind": ctx.kind, "organization_id": ctx.organization_id,
                  "request_id": ctx.request_id, "category_id": ctx.category_id, "actor_id": ctx.actor_id,
                  "actor_email": ctx.actor_email, "payload": json.dumps(ctx.payload), **checks}


def fan_out(event_id: int, facts: dict | None = None) -> FanoutPlan | None:
    """Record every notification of one event, once; returns the plan with per-channel counts.

    With the event's `facts` (the message's, app/events/service.py: fanout_facts) the claim and
    the channel statements go out together, in one round trip; should the claim find the facts
    out of date, or a switch or an override that applies, it takes nothing and the fan-out
    claims again from what the database says (two round trips: claim, then the rest).
    """
    channels = sorted(CHANNELS.values(), key=lambda ch: ch.order)
    claim = None
    with pooled_connection() as conn:
        with pipelined_transaction(conn):  # BEGIN, the claim, every channel statement and the COMMIT
            if facts is not None:
                plan, claim_params = plan_as_sent(event_id, facts)
                claim = _compiled(CLAIM_EVENT_AS_SENT).send(conn, claim_params, prepare=True)
            else:
                plan = claim_event(conn, event_id)  # waits for the claim's row
            if plan is not None:
                sent = _send_channels(conn, plan, channels)
        # Claimed as sent, it took nothing, so its channel statements wrote nothing: the facts are
        # out of date, a switch or an override applies, or another run took the event.
        taken_as_sent = claim is None or claim.fetchone() is not None
        if plan is not None and taken_as_sent:
            plan.counts = {channel.name: 0 for channel in channels}
            for channel, cursor in sent:
                plan.counts[channel.name] = channel.read(plan, cursor)
    if not taken_as_sent:
        return fan_out(event_id)  # claimed from what the database says
    if plan is None:  # no such event, or another run took it: a redelivered message does nothing
        return None
    plan.statements = 1 + len(sent)
    for channel in channels:
        channel.after_commit(plan, plan.counts[channel.name])
    return plan


def _send_channels(conn, plan: FanoutPlan, channels) -> list:
    """Queue every channel statement that applies, then the COMMIT: the pipeline's closing sync sends them."""
    params = plan.params()
    sent = [(channel, statement.send(conn, params, prepare=True)) for channel in channels
            if (statement := channel.statement_for(plan)) is not None]
    queue_commit(conn)  # one round trip for all of them and the commit
    return sent


check_matrix()  # a matrix that breaks an invariant by construction stops the worker at start
