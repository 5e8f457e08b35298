"""Keeping the messages we send, for the email log and a resident's export, until retention ends.

A message's bytes are stored by the very statement that hands it off to the SMTP server
(app/notify/delivery.py: `hand_off`, whose `handed` CTE this one reads), over the run's libpq
pipeline: it goes out before the message and is not waited for, so the database writes the
body while the SMTP server works. Storing each batch's bodies in one statement before sending
cost a fifth of the delivery run (bench/fanout.py --profile). Only a message handed off under
the run's claim is kept (one another run took over is that run's to keep), and a retry's copy
replaces the last one. The retention sweep (app/privacy/retention.py) empties
`email_bodies.message` after the organization's period, leaving `expired_at`.
"""

from __future__ import annotations

# A CTE for the hand-off statement: `handed` holds the row handed off (id, organization_id), if any.
KEEP_HANDED_SQL = """
kept AS (
  INSERT INTO email_bodies (delivery_id, organization_id, message)
  SELECT id, organization_id, %(body)s::bytea FROM handed WHERE %(body)s::bytea IS NOT NULL
  ON CONFLICT (delivery_id) DO UPDATE SET message = excluded.message, stored_at = now(), expired_at = NULL)
"""
