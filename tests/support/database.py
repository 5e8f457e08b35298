"""Creating, migrating and cleaning the test database."""

from __future__ import annotations

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


def truncate_all(db) -> None:
    """Empty every table of ours in one statement (PostGIS's spatial_ref_sys is not ours)."""
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
