"""The fan-out's statements on the session's own psycopg connection, in pipeline mode.

An event's fan-out is a claim and one statement per channel. The claim decides which channel
statements run, but those do not wait on each other's results (a later one sees an earlier
one's rows: same transaction, run in order), so psycopg's pipeline mode sends BEGIN with the
claim, then every channel statement and the COMMIT at once: two round trips, where one
statement at a time cost five, which is most of the fan-out's fixed cost for a few
recipients. SQLAlchemy compiles each statement once per shape (cached with it); psycopg
prepares it on the connection at its first run (`send(..., prepare=True)`), so a plan
PostgreSQL keeps (see the claim in fanout.py) is kept from the start.
"""

from __future__ import annotations

from psycopg import Connection, RawCursor

from app.extensions import db


class CompiledStatement:
    """A SQLAlchemy statement compiled once for the session's dialect, run on the raw connection.

    Compiled with PostgreSQL's own placeholders (`$1`, one per bound name) and sent through a
    `RawCursor`: psycopg parses a `%(name)s` query into that form at every execution, and keeps
    the result only for queries under 4 KB, which the fan-out's INSERTs are not (about 2 ms a
    run on a loaded machine, bench/fanout.py --profile).
    """

    def __init__(self, statement) -> None:
        dialect = db.engine.dialect
        positional = type(dialect)(paramstyle="numeric_dollar")
        positional.server_version_info = dialect.server_version_info
        self.compiled = statement.compile(dialect=positional)
        self.sql = self.compiled.string
        self.names = tuple(self.compiled.positiontup or ())
        # The dialect's own conversions of bound values (the ones SQLAlchemy's execute would apply).
        self.processors = dict(self.compiled._bind_processors)

    def parameters(self, values: dict) -> list:
        params = self.compiled.construct_params(values)
        for name, process in self.processors.items():
            if params.get(name) is not None:
                params[name] = process(params[name])
        return [params[name] for name in self.names]

    def send(self, conn: Connection, values: dict, prepare: bool | None = None, **cursor_options):
        """Execute on `conn` (in pipeline mode: queued, not awaited); read the cursor later."""
        cursor = RawCursor(conn, **cursor_options)
        cursor.execute(self.sql, self.parameters(values), prepare=prepare)
        return cursor


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
