"""The fan-out's statements on the session's own psycopg connection, in pipeline mode.

An event's fan-out is a claim and one statement per channel. The claim decides which channel
statements run, but those do not wait on each other's results (a later one sees an earlier
one's rows: same transaction, run in order), so psycopg's pipeline mode sends BEGIN with the
claim, then every channel statement and the COMMIT at once: two round trips, where one
statement at a time cost five, which is most of the fan-out's fixed cost for a few
recipients. Each statement is compiled once per shape (`app.compiled.CompiledStatement`, cached
with it); psycopg prepares it on the connection at its first run (`send(..., prepare=True)`), so
a plan PostgreSQL keeps (see the claim in fanout.py) is kept from the start.
"""

from __future__ import annotations

from psycopg import Connection

from app.extensions import db


def queue_commit(conn: Connection) -> None:
    """Queue COMMIT behind the statements already sent in `conn`'s pipeline.

    The pipeline's closing sync carries it: no round trip of its own. Should a statement
    before it fail, PostgreSQL skips the COMMIT with the rest of the pipeline and the
    transaction stays open, failed, for the caller to roll back: all or nothing, as before.
    The session's commit afterwards finds the connection idle, and psycopg sends nothing.
    """
    conn.execute(b"COMMIT")


def session_connection() -> Connection:
    """The psycopg connection under the session's transaction (checked out from the pool now)."""
    return db.session.connection().connection.driver_connection
