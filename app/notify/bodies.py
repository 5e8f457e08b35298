"""Keeping the messages we compose, for the email log and a resident's export, until retention ends.

One statement per delivery run's batch: the batch's rows as three arrays (`unnest`), sent
as they are on the session's psycopg connection. The ORM's multi-row VALUES insert was
compiled anew for every batch and cost a tenth of the delivery run (bench/fanout.py
--profile). The retention sweep (app/privacy/retention.py) empties `email_bodies.message`
after the organization's period, leaving `expired_at`.
"""

from __future__ import annotations

from app.extensions import db

KEEP_SQL = """
INSERT INTO email_bodies (delivery_id, organization_id, message)
SELECT * FROM unnest(%s::bigint[], %s::int[], %s::bytea[])
ON CONFLICT (delivery_id) DO UPDATE SET message = excluded.message, stored_at = now(), expired_at = NULL
"""


def keep_bodies(messages: list[tuple[int, int | None, bytes]]) -> None:
    """Store (delivery id, organization id, MIME bytes) rows; a retry's copy replaces the last one."""
    if not messages:
        return
    ids, organizations, data = (list(column) for column in zip(*messages, strict=True))
    conn = db.session.connection().connection.driver_connection  # in the session's transaction
    conn.execute(KEEP_SQL, (ids, organizations, data))
