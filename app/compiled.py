"""Statements compiled once, run on psycopg's raw cursor: for the hot paths whose Python costs more than their SQL.

SQLAlchemy's `execute` looks a statement's compiled form up in its cache, builds an execution
context and a result with its metadata, and wraps every row; for a statement run thousands of
times a second the same way, that is more than the round trip (bench/fanout.py,
bench/http_path.py). A `CompiledStatement` is compiled once with PostgreSQL's own placeholders
(`$1`, one per bound name) and sent through a `RawCursor`: psycopg parses a `%(name)s` query
into that form at every execution, and keeps the result only for queries under 4 KB.
"""

from __future__ import annotations

from psycopg import Connection, RawCursor
from sqlalchemy.engine import Connection as SAConnection

from app.extensions import db


class CompiledStatement:
    """A SQLAlchemy statement compiled once for the session's dialect, run on the raw connection."""

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

    def rows(self, conn: SAConnection, values: dict) -> list[tuple]:
        """Every row, as psycopg's tuples, of the statement run on SQLAlchemy connection `conn`.

        It goes through the connection's cursor execution (`_cursor_execute`, SQLAlchemy's own
        path for the statements it sends itself): listeners of `before_cursor_execute` see it
        (the tests that count a read's statements), and a failure is SQLAlchemy's error, a
        connection the server ended invalidated as after any statement; only the execution
        context and the result's wrapping are skipped.
        """
        with RawCursor(conn.connection.driver_connection) as cursor:
            conn._cursor_execute(cursor, self.sql, self.parameters(values))
            return cursor.fetchall()
