"""Test fixtures: real PostGIS (schema from the migrations), Dramatiq brokers, an SMTP listener."""

from __future__ import annotations

import os
import tempfile
import uuid

# The environment is fixed before the app is imported: the broker is chosen at import.
_RUN_ID = uuid.uuid4().hex[:8]
_DB_SUFFIX = os.environ.get("TEST_DB_SUFFIX", "") + (
    f"_{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else ""
)
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg:///civic_test") + _DB_SUFFIX
os.environ.update(
    APP_ENV="testing",
    DATABASE_URL=TEST_DATABASE_URL,
    DRAMATIQ_BROKER="stub",
    INSTANCE_DIR=tempfile.mkdtemp(prefix="civic-test-instance-"),
    INBOUND_DOMAIN="inbound.test",
    # Rate-limit counters of this run live under their own prefix in the shared Redis.
    RATELIMIT_KEY_PREFIX=f"civic-test-ratelimit-{_RUN_ID}",
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")


pytest_plugins = ["tests.support.fixtures"]
