"""The one way code owns a transaction: `unit_of_work()`, as a `with` block or a decorator.

A service decorated with `@unit_of_work()` and called on its own commits once, when it returns,
and rolls back (re-raising) when it raises. Called inside another unit of work (a route that
calls two services, an automation run, an inbound email's processing) it joins it: nothing is
committed until the outermost unit ends, and an error anywhere rolls all of it back. Events
recorded with `record_event` in any of them reach the fan-out only after that one commit
(app/events/service.py listens for it), so a rolled-back unit sends nothing.

Nobody else calls `db.session.commit()`: HTTP views call a service (or open a unit around
several), workers open one unit per message or per batch.
"""

from __future__ import annotations

from contextlib import ContextDecorator, nullcontext
from functools import wraps

from app.extensions import db

_DEPTH = "civic_unit_of_work_depth"
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


class unit_of_work(ContextDecorator):  # noqa: N801  (used like a function: `with unit_of_work():`)
    """Commit when the outermost unit ends; roll back (and re-raise) if anything in it fails."""

    def __enter__(self):
        session = db.session
        info = session.info
        if not info.get(_DEPTH) and reading_outside_transaction():
            # A unit inside a read (a view that records what it showed): its statements go
            # together in a transaction of their own, not one by one in autocommit.
            session.commit()
        info[_DEPTH] = info.get(_DEPTH, 0) + 1
        return session

    def __exit__(self, exc_type, exc, tb) -> bool:
        session = db.session
        depth = session.info.get(_DEPTH, 1) - 1
        if depth > 0:
            session.info[_DEPTH] = depth
            return False  # joined: the outermost unit decides
        session.info.pop(_DEPTH, None)
        if exc_type is not None:
            session.rollback()
            return False
        try:
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return False


def in_unit_of_work() -> bool:
    """Whether an outer unit of work is open (its owner will commit)."""
    return db.session.info.get(_DEPTH, 0) > 0


def reads_outside_transaction(view):
    """Decorator for a view that only reads: its statements run outside a transaction.

    No BEGIN before them and no ROLLBACK when the request ends: two round trips fewer, and
    psycopg keeps the statements it has prepared (a ROLLBACK makes it forget them all), so a
    hot read is planned once per connection (bench/http_path.py). Each statement sees the
    latest commit. A unit of work inside it still gets a transaction (`unit_of_work`). When
    the session is already in a transaction (a hook read something first), nothing changes.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        session = db.session()
        if not session.in_transaction():
            session.connection(execution_options=_AUTOCOMMIT)
        return view(*args, **kwargs)

    return wrapper


def reading_outside_transaction() -> bool:
    """Whether the session's statements now run in autocommit (`reads_outside_transaction`)."""
    session = db.session()
    return (session.in_transaction()
            and session.connection().get_execution_options().get("isolation_level") == "AUTOCOMMIT")


def read_connection():
    """A connection for one read, as a context manager: the session's when the session holds one
    (the read then sees what its transaction sees, its own writes included), else a pooled
    connection of the read's own in autocommit, returned at the end (no BEGIN or ROLLBACK, so
    psycopg keeps what it prepared; the session is neither made nor touched)."""
    if db.session.registry.has() and db.session().in_transaction():
        return nullcontext(db.session.connection())
    return db.engine.connect().execution_options(**_AUTOCOMMIT)
