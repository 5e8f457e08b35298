"""The fan-out's statements on a pooled psycopg connection, in one pipelined transaction.

An event's fan-out is a claim and one statement per channel. The channel statements do not
wait on each other's results (a later one sees an earlier one's rows: same transaction, run in
order), and when the message carries the event's facts they need not wait on the claim either
(each writes rows only if the claim took the event, statements.py: CLAIMED), so BEGIN, the
claim, every channel statement and the COMMIT go out at once and the pipeline's closing sync is
the only wait: one round trip, where psycopg's own BEGIN (it waits for its answer) and a claim
read first cost three. Each statement is compiled once per shape (`app.compiled.CompiledStatement`, cached with it);
psycopg prepares it on the connection at its first run (`send(..., prepare=True)`), so a plan
PostgreSQL keeps (see the claim in fanout.py) is kept from the start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from psycopg import Connection
from psycopg.pq import TransactionStatus

from app.extensions import db


def queue_commit(conn: Connection) -> None:
    """Queue COMMIT behind the statements already sent in `conn`'s pipeline.

    The pipeline's closing sync carries it: no round trip of its own. Should a statement
    before it fail, PostgreSQL skips the COMMIT with the rest of the pipeline and the
    transaction stays open, failed, for `pipelined_transaction` to roll back: all or nothing.
    """
    conn.execute(b"COMMIT")


@contextmanager
def pooled_connection() -> Iterator[Connection]:
    """A psycopg connection of the engine's pool, outside the ORM session, given back to the pool after.

    The fan-out's transaction is its own (it commits in its pipeline): the session's
    bookkeeping around it (a SessionTransaction, a Connection, their commit) was a fifth of its
    Python time at a few recipients.
    """
    proxied = db.engine.raw_connection()
    try:
        yield proxied.driver_connection
    finally:
        proxied.close()


@contextmanager
def pipelined_transaction(conn: Connection) -> Iterator[None]:
    """BEGIN queued in a pipeline on `conn`, then what the block sends (ending with `queue_commit`).

    psycopg begins a transaction by itself only with a Sync after its BEGIN, waiting for the
    answer before anything else goes out: a round trip of its own. In autocommit mode it begins
    none, so the BEGIN is queued here like any statement. Should a statement fail, the COMMIT is
    skipped with the rest and the transaction is rolled back here, before autocommit is turned
    off again for the pool.
    """
    conn.autocommit = True
    try:
        with conn.pipeline():
            conn.execute(b"BEGIN")
            yield
    finally:
        if conn.info.transaction_status != TransactionStatus.IDLE:
            conn.rollback()
        conn.autocommit = False
