"""A libpq pipeline for the delivery run's status writes: each statement sent at once, read later.

Each statement is followed by a Sync, so it commits on its own (autocommit), and the run
can go on talking to the SMTP server while the database works; it reads a result only when
it needs one (the hand-off check before a final dot). This is psycopg's documented low-level
`pq` interface: psycopg's own pipeline costs as much Python time per statement as sending
an email does, which showed in bench/fanout.py. The connection is non-blocking and every wait
is a `select` on its socket, which releases the GIL (libpq's own waits would hold it).
"""

from __future__ import annotations

import re
import select
from collections import deque
from functools import lru_cache

import psycopg
from psycopg import pq

_NAMED = re.compile(r"%\((\w+)\)s")


@lru_cache(maxsize=64)
def _positional(sql: str) -> tuple[bytes, tuple[str, ...]]:
    """`%(name)s` placeholders as libpq's `$n`, and the names in their order."""
    names: list[str] = []

    def number(match: re.Match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return _NAMED.sub(number, sql).encode(), tuple(names)


def _text(value) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return b"t" if value else b"f"
    return str(value).encode()


class Pending:
    """A statement sent; its rows (as text) once read."""

    __slots__ = ("rows", "done")

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.done = False


class StatementPipe:
    """One connection in pipeline mode, autocommit, synchronous_commit off (see app/notify/delivery.py)."""

    def __init__(self, url: str, settings: tuple[str, ...] = ()) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute("SET synchronous_commit TO OFF")
        for setting in settings:  # the session's own settings (its user's planner choices), before the pipeline
            self.conn.execute(setting)
        self.pg = self.conn.pgconn
        self.pg.nonblocking = 1  # neither sending nor reading ever waits inside libpq (see `_next_result`)
        self.pg.enter_pipeline_mode()
        self.sent: deque[Pending] = deque()
        self.prepared: dict[bytes, bytes] = {}  # query -> name of its prepared statement on this connection

    def send(self, sql: str, params: dict) -> Pending:
        query, names = _positional(sql)
        # Each shape is prepared once per connection (in the same pipeline, before its first run):
        # the server parses and analyses the hand-off of every message once per run, not per message.
        name = self.prepared.get(query)
        if name is None:
            name = self.prepared[query] = f"pipe_{len(self.prepared)}".encode()
            self.pg.send_prepare(name, query)
        values = [params[name_] for name_ in names]
        # bytes go as they are (binary format: a message's body is not hex-encoded), the rest as text.
        self.pg.send_query_prepared(name, [value if isinstance(value, bytes) else _text(value) for value in values],
                                    [1 if isinstance(value, bytes) else 0 for value in values])
        self.pg.pipeline_sync()
        while self.pg.flush() != 0:  # the socket is full: wait until it takes more, reading what came meanwhile
            select.select([self.pg.socket], [self.pg.socket], [])
            self.pg.consume_input()
        pending = Pending()
        self.sent.append(pending)
        return pending

    def rows(self, pending: Pending) -> list[tuple]:
        """Wait for `pending` (and what was sent before it) and return its rows."""
        while not pending.done:
            self._read_next()
        return pending.rows

    def _read_next(self) -> None:
        pending = self.sent.popleft()
        error = None
        while True:
            result = self._next_result()
            if result is None:
                continue
            if result.status == pq.ExecStatus.PIPELINE_SYNC:
                break
            if result.status == pq.ExecStatus.TUPLES_OK:
                pending.rows = [tuple(result.get_value(r, c).decode() if result.get_value(r, c) is not None
                                      else None for c in range(result.nfields)) for r in range(result.ntuples)]
            elif result.status == pq.ExecStatus.FATAL_ERROR:
                error = (result.error_message or b"").decode(errors="replace")
        pending.done = True
        if error:
            raise psycopg.DatabaseError(error)

    def _next_result(self):
        # libpq's get_result waits for the server while holding the GIL (psycopg's C binding):
        # every other thread of the process (a worker's other delivery runs, an in-process SMTP
        # sink) stopped while the database worked. Wait for the socket instead, which releases it.
        while self.pg.is_busy():
            select.select([self.pg.socket], [], [])
            self.pg.consume_input()
        return self.pg.get_result()

    def close(self) -> None:
        try:
            while self.sent:
                self._read_next()
            self.pg.exit_pipeline_mode()
        finally:
            self.conn.close()
