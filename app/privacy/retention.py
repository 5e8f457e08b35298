"""Retention as data: how long each organization keeps mail and delivery records, and the sweep.

A policy row per organization (app/privacy/models.py: RetentionPolicy); no row means
`DEFAULTS`. The sweep is set-based, like every sweep here: "everything older than its
organization's period and still kept", so a late or repeated run neither skips nor repeats
anything. It works in batches of `BATCH_SIZE` rows taken FOR UPDATE SKIP LOCKED, each
committed on its own, so two sweeps share the work and a long catch-up never holds one huge
transaction. What it removes leaves a trace the logs show: an expired body keeps its row
with `expired_at` / `raw_expired_at`, and the log says "body expired".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import DateTime, bindparam, select, text

from app.errors import ValidationFailed
from app.extensions import db
from app.privacy.models import PhotoPolicy, RetentionPolicy
from app.transactions import unit_of_work

log = logging.getLogger(__name__)

DEFAULTS: dict = {
    "raw_inbound_days": 30,  # the default for raw inbound mail
    "outgoing_body_hours": 72,  # OneDesk keeps its mail log for 72 hours
    "spam_days": 30,  # triage messages deleted as spam
    "delivery_record_days": 365,  # delivery status rows: a year
    "photos_on_account_deletion": PhotoPolicy.KEEP.value,
}
# Smallest and largest period per setting (its own unit).
LIMITS: dict[str, tuple[int, int]] = {
    "raw_inbound_days": (1, 3650),
    "outgoing_body_hours": (1, 87600),
    "spam_days": (1, 3650),
    "delivery_record_days": (1, 3650),
}
BATCH_SIZE = 500
UNSENT = "('pending', 'held', 'sending')"


def policy_for(organization_id: int | None) -> dict:
    """The organization's retention settings, defaults filled in."""
    row = db.session.get(RetentionPolicy, organization_id) if organization_id is not None else None
    if row is None:
        return dict(DEFAULTS)
    return {name: getattr(row, name) for name in DEFAULTS}


@unit_of_work()
def set_policy(organization_id: int, actor_id: int | None, changes: dict) -> dict:
    """Change some of the organization's settings (422 naming the field when out of range); commits."""
    problems = {}
    for name, value in changes.items():
        if name == "photos_on_account_deletion":
            if value not in {p.value for p in PhotoPolicy}:
                problems[name] = [f"Must be one of: {', '.join(p.value for p in PhotoPolicy)}."]
        elif name not in LIMITS:
            problems[name] = ["Unknown field."]
        elif not isinstance(value, int) or isinstance(value, bool) or not LIMITS[name][0] <= value <= LIMITS[name][1]:
            problems[name] = [f"Must be a whole number from {LIMITS[name][0]} to {LIMITS[name][1]}."]
    if problems:
        raise ValidationFailed(_("Some retention settings are out of range."), {"json": problems})
    merged = {**policy_for(organization_id), **changes}
    row = db.session.get(RetentionPolicy, organization_id, with_for_update=True)
    if row is None:
        row = RetentionPolicy(organization_id=organization_id)
        db.session.add(row)
    for name, value in merged.items():
        setattr(row, name, value)
    row.updated_by_id = actor_id
    return merged


# Each statement takes one batch of what is due and returns a row per thing it removed.
_EXPIRE_BODIES = f"""
UPDATE email_bodies b SET message = NULL, expired_at = :now
WHERE b.delivery_id IN (
  SELECT k.delivery_id FROM email_bodies k LEFT JOIN retention_policies p ON p.organization_id = k.organization_id
  WHERE k.message IS NOT NULL
    AND k.stored_at < :now - make_interval(hours => COALESCE(p.outgoing_body_hours, {DEFAULTS['outgoing_body_hours']}))
  ORDER BY k.stored_at LIMIT :batch FOR UPDATE OF k SKIP LOCKED)
RETURNING b.delivery_id
"""
# Mail still waiting to be processed keeps its bytes: processing comes first.
_EXPIRE_RAW = f"""
UPDATE inbound_emails e SET raw = NULL, raw_expired_at = :now
WHERE e.id IN (
  SELECT k.id FROM inbound_emails k LEFT JOIN retention_policies p ON p.organization_id = k.organization_id
  WHERE k.raw IS NOT NULL AND k.status <> 'received'
    AND k.received_at < :now - make_interval(days => COALESCE(p.raw_inbound_days, {DEFAULTS['raw_inbound_days']}))
  ORDER BY k.received_at LIMIT :batch FOR UPDATE OF k SKIP LOCKED)
RETURNING e.id
"""
_DELETE_SPAM = f"""
WITH doomed AS (
  SELECT m.id, m.inbound_email_id FROM inbound_messages m
  LEFT JOIN retention_policies p ON p.organization_id = m.organization_id
  WHERE m.deleted_at IS NOT NULL
    AND m.deleted_at < :now - make_interval(days => COALESCE(p.spam_days, {DEFAULTS['spam_days']}))
  ORDER BY m.deleted_at LIMIT :batch FOR UPDATE OF m SKIP LOCKED),
files AS (SELECT a.storage_path FROM inbound_message_attachments a JOIN doomed d ON d.id = a.inbound_message_id),
raw AS (UPDATE inbound_emails e SET raw = NULL, raw_expired_at = COALESCE(e.raw_expired_at, :now)
        FROM doomed d WHERE e.id = d.inbound_email_id AND e.raw IS NOT NULL RETURNING e.id),
gone AS (DELETE FROM inbound_messages m USING doomed d WHERE m.id = d.id RETURNING m.id)
SELECT 'message', id::text FROM gone UNION ALL SELECT 'file', storage_path FROM files
"""
_DELETE_DELIVERIES = f"""
DELETE FROM email_deliveries d WHERE d.id IN (
  SELECT k.id FROM email_deliveries k LEFT JOIN retention_policies p ON p.organization_id = k.organization_id
  WHERE k.status NOT IN {UNSENT}
    AND k.created_at < :now - make_interval(days => COALESCE(p.delivery_record_days, {DEFAULTS['delivery_record_days']}))
  ORDER BY k.created_at LIMIT :batch FOR UPDATE OF k SKIP LOCKED)
RETURNING d.id
"""


@dataclass
class SweepStats:
    bodies_expired: int = 0
    raw_expired: int = 0
    spam_deleted: int = 0
    deliveries_deleted: int = 0
    files: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.bodies_expired, self.raw_expired, self.spam_deleted, self.deliveries_deleted))


def _batches(sql: str, now: datetime, batch_size: int) -> list[tuple]:
    statement = text(sql).bindparams(bindparam("now", type_=DateTime(timezone=True)))
    found: list[tuple] = []
    while True:
        with unit_of_work():
            rows = db.session.execute(statement, {"now": now, "batch": batch_size}).all()
        found += [tuple(row) for row in rows]
        if len(rows) < batch_size:
            return found


def sweep(now: datetime, batch_size: int = BATCH_SIZE) -> SweepStats:
    """Apply every organization's retention periods as of `now`; safe to run twice or side by side."""
    from app.privacy.files import discard_unreferenced_files

    stats = SweepStats()
    stats.bodies_expired = len(_batches(_EXPIRE_BODIES, now, batch_size))
    spam = _batches(_DELETE_SPAM, now, batch_size)
    stats.spam_deleted = sum(1 for kind, _ in spam if kind == "message")
    stats.files = [value for kind, value in spam if kind == "file"]
    stats.raw_expired = len(_batches(_EXPIRE_RAW, now, batch_size))
    stats.deliveries_deleted = len(_batches(_DELETE_DELIVERIES, now, batch_size))
    discard_unreferenced_files(stats.files)
    return stats


def body_state(kept: bool | None, expired_at: datetime | None) -> str:
    """What the email log says about a stored body: "kept", "body expired" or "not stored"."""
    if kept:
        return "kept"
    return "body expired" if expired_at is not None else "not stored"


def kept_body(delivery_id: int) -> bytes | None:
    """The composed message of one delivery while it is kept, else None."""
    from app.notify.models import EmailBody

    return db.session.scalar(select(EmailBody.message).where(EmailBody.delivery_id == delivery_id))
