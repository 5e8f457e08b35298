"""A pooled connection the server has ended is replaced at checkout, without a ping (app/pool.py)."""

from __future__ import annotations

from sqlalchemy import create_engine, event, text

from app.extensions import db
from app.pool import check_on_checkout, ended_by_server


def _wait_until_gone(pid: int) -> None:
    with db.engine.connect() as conn:
        for _ in range(500):
            if not conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).scalar():
                return
            conn.execute(text("SELECT pg_sleep(0.01)"))
    raise AssertionError(f"backend {pid} still there")


def test_a_connection_the_server_ended_is_replaced_and_a_live_one_kept(app):
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=1, max_overflow=0)
    check_on_checkout(engine)
    sent = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with engine.connect() as conn:  # alive: the same connection, and no statement besides ours
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == first
        assert sent == ["SELECT pg_backend_pid()"] * 2
        with db.engine.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first}).scalar()
        _wait_until_gone(first)
        with engine.connect() as conn:  # ended by the server: a new connection, and the read succeeds
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        assert second != first
    finally:
        engine.dispose()


def test_ended_by_server_reads_the_socket_only(app):
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        raw = engine.raw_connection()
        driver = raw.driver_connection
        assert not ended_by_server(driver)
        driver.close()
        assert ended_by_server(driver)
        raw.invalidate()
    finally:
        engine.dispose()
