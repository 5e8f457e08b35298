"""Creating, migrating and cleaning the test database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def recreate_database(url: str) -> None:
    """Drop and create the database at `url`, so every session starts from the migrations."""
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
            # A test database is thrown away after the run, so a commit need not wait for its WAL to
            # reach the disk: every commit is still visible to every session at once (what the tests
            # observe); only a PostgreSQL crash could lose the last of them. Most of the suite's
            # time was these waits (the inbound fuzz test: about 19 commits per message).
            conn.execute(text(f'ALTER DATABASE "{target.database}" SET synchronous_commit = off'))
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        engine.dispose()


@contextmanager
def scratch_app(suffix: str) -> Iterator:
    """An app on a database of its own (the test database's name + `suffix`), empty, dropped afterwards."""
    from app import create_app
    from app.extensions import db

    url = os.environ["DATABASE_URL"] + suffix
    recreate_database(url)
    scratch = create_app({"SQLALCHEMY_DATABASE_URI": url})
    try:
        yield scratch
    finally:
        with scratch.app_context():
            db.engine.dispose()
        drop_database(url)


def truncate_all(db) -> None:
    """Every table of ours as a new, empty file (TRUNCATE): slow (0.3-1.5 s), for the few tests
    that read the planner's choices, which depend on a table's size on disk."""
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def empty_all_tables(db) -> None:
    """Delete every row of our tables and restart their sequences, in one round trip.

    DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE of 45 tables makes and unlinks
    a file per table and index whatever they hold (0.3-1.5 s per test on 2 busy cores, against
    8 ms for these DELETEs). Children go before their parents (the metadata's dependency order
    reversed); the request counters' triggers add rows while service_requests empties, and
    request_counts comes after it. PostGIS's spatial_ref_sys is not ours.
    """
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    db.session.remove()
    with db.engine.begin() as conn:
        sequences = conn.execute(text(
            "SELECT relname FROM pg_class WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace")).scalars()
        restarts = ", ".join(f"setval('\"{name}\"', 1, false)" for name in sequences)
        conn.execute(text("; ".join([*(f'DELETE FROM "{name}"' for name in tables), f"SELECT {restarts}"])))
