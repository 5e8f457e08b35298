"""Checking out a pooled database connection without a round trip.

SQLAlchemy's `pool_pre_ping` sends `SELECT 1` at every checkout: on a read of one or two
statements that is one round trip more, the largest cost after the reads themselves
(bench/http_path.py). A connection the server has ended (a restart, `pg_terminate_backend`,
an idle timeout) has something to read that libpq has not read: the server's FATAL message,
then end of file. So a checkout looks at the socket with a zero-timeout poll (a system call,
no traffic): anything there, and the connection is thrown away and the checkout retried with
a new one, as a failed ping would; nothing there, and it is used as it is. (The pool is idle
between requests: a connection checked in has read every reply it asked for, so nothing
legitimate waits on its socket.) A network path that died silently is no better served by a
ping, which would wait for TCP to give up.
"""

from __future__ import annotations

import select

from psycopg import pq
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine


def ended_by_server(dbapi_connection) -> bool:
    """Whether the server has closed (or is closing) this psycopg connection, without asking it."""
    if dbapi_connection.closed or dbapi_connection.pgconn.status != pq.ConnStatus.OK:
        return True
    poller = select.poll()
    poller.register(dbapi_connection.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _refuse_ended(dbapi_connection, connection_record, connection_proxy) -> None:
    if ended_by_server(dbapi_connection):
        raise exc.DisconnectionError("the server ended this pooled connection")


def check_on_checkout(engine: Engine) -> None:
    """Replace, at checkout, a pooled connection the server has ended (instead of pinging each one)."""
    if not event.contains(engine, "checkout", _refuse_ended):
        event.listen(engine, "checkout", _refuse_ended)
