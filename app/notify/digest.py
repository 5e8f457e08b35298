"""Daily digests: one email a day to each user on the digest, listing what they missed.

Held deliveries (status `held`, made by the fan-out for users whose frequency is `daily`)
whose in-app notification was seen meanwhile are skipped; the rest are listed in one digest
delivery per user per day (unique (user_id, digest_date): running twice sends nothing twice).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import text

from app.extensions import db

SKIP_SEEN_HELD = text("""
UPDATE email_deliveries d SET status = 'skipped', smtp_reply = 'seen in the app before the digest'
FROM notifications n
WHERE d.status = 'held' AND n.event_id = d.event_id AND n.user_id = d.user_id AND n.seen_at IS NOT NULL
""")

MAKE_DIGESTS = text("""
WITH held AS (
  SELECT user_id,
         CASE WHEN count(DISTINCT organization_id) = 1 THEN min(organization_id) END AS organization_id
  FROM email_deliveries WHERE status = 'held' GROUP BY user_id
), digests AS (
  INSERT INTO email_deliveries (user_id, organization_id, email, kind, audience, pref_group, subscription,
                                status, send_after, digest_date)
  SELECT held.user_id, held.organization_id, u.email, 'digest', 'digest', 'digest', true, 'pending', now(), :day
  FROM held JOIN users u ON u.id = held.user_id
  WHERE u.active AND u.email_bounced_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM suppressed_addresses s WHERE s.email = u.email)
  ON CONFLICT (user_id, digest_date) DO NOTHING
  RETURNING id, user_id
)
UPDATE email_deliveries d SET status = 'digested', digest_id = digests.id
FROM digests WHERE d.user_id = digests.user_id AND d.status = 'held'
RETURNING digests.id
""")


def make_daily_digests(now: datetime | None = None) -> int:
    """Create today's digest deliveries once the digest hour has come; returns how many digests."""
    now = now or datetime.now(UTC)
    if now.hour < current_app.config["DIGEST_HOUR_UTC"]:
        return 0
    db.session.execute(SKIP_SEEN_HELD)
    digests = {row[0] for row in db.session.execute(MAKE_DIGESTS, {"day": now.date()})}
    db.session.commit()
    return len(digests)
