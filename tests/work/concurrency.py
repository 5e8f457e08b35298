"""Running two sweeps against PostgreSQL truly at the same time."""

from __future__ import annotations

import threading
import time

from flask import current_app
from sqlalchemy import text

from app.extensions import db

WAIT_LIMIT_SECONDS = 30


def _backends_waiting_on_locks(conn) -> int:
    return conn.execute(text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )).scalar_one()


def run_two_sweeps_at_once(sweep, now, *, lock_row: tuple[str, int]) -> list[int]:
    """Run `sweep(now)` in two threads, each with its own connection, and overlap their transactions.

    A third connection holds `lock_row` FOR UPDATE. The first sweep to insert its record
    stops at the foreign-key check on that row, before it can commit; the second, whose
    snapshot does not see the first's row, then stops on the unique key behind it. Only when
    both are seen waiting is the row released: the unique key, not timing, must decide.
    """
    app = current_app._get_current_object()
    table, row_id = lock_row
    results: list[int] = []
    errors: list[BaseException] = []

    def one_scheduler() -> None:
        with app.app_context():
            try:
                results.append(sweep(now))
            except BaseException as exc:  # reported to the test below
                errors.append(exc)
            finally:
                db.session.remove()

    holder, observer = db.engine.connect(), db.engine.connect()
    try:
        holder.execute(text(f"SELECT 1 FROM {table} WHERE id = :id FOR UPDATE"), {"id": row_id})
        threads = [threading.Thread(target=one_scheduler) for _ in range(2)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while _backends_waiting_on_locks(observer) < 2:
            observer.rollback()
            if time.monotonic() > deadline or errors:
                raise AssertionError(f"both sweeps never waited together; errors: {errors}")
            time.sleep(0.01)
        holder.rollback()
        for thread in threads:
            thread.join(WAIT_LIMIT_SECONDS)
    finally:
        holder.close()
        observer.close()
    if errors:
        raise errors[0]
    return results
