"""Create the database named by DATABASE_URL (or argv[1]) if it does not exist yet."""

from __future__ import annotations

import os
import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def ensure_database(url: str) -> bool:
    """Return True when the database had to be created."""
    target = make_url(url)
    maintenance = target.set(database="postgres")
    engine = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": target.database}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
            return not exists
    finally:
        engine.dispose()


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DATABASE_URL", "postgresql+psycopg:///civic")
    try:
        created = ensure_database(url)
    except Exception as exc:
        print(f"==> cannot reach PostgreSQL at {make_url(url).render_as_string()}: {exc}", file=sys.stderr)
        print("==> start it (pg_ctlcluster 15 main start) or set DATABASE_URL", file=sys.stderr)
        sys.exit(1)
    print(f"==> database {make_url(url).database} {'created' if created else 'exists'}")
