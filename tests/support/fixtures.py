"""Shared fixtures, loaded by tests/conftest.py."""

from __future__ import annotations

import os
import uuid

import dramatiq
import pytest
from dramatiq import Worker
from dramatiq.brokers.redis import RedisBroker
from flask import g, has_app_context
from flask.testing import FlaskClient

from tests.support.database import drop_database, empty_all_tables, recreate_database, truncate_all
from tests.support.smtp import SmtpSink


class FreshGlobalsClient(FlaskClient):
    """Each request starts with an empty `g`, as on a server.

    Requests reuse the test's app context (and so its db.session), which would otherwise
    carry `g` (Flask-WTF's CSRF token, for one) from one request into the next.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As a browser on our own pages: it sends Origin with every POST, as every browser
        # does (app/api/guards.py refuses cookie-authenticated calls without it).
        self.environ_base["HTTP_ORIGIN"] = "http://localhost"

    def open(self, *args, **kwargs):
        if has_app_context():  # a client used from another thread has none to clean
            for key in list(g):
                g.pop(key)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    """One application for the session, its database built by the real migrations."""
    from flask_migrate import upgrade

    from app import create_app

    url = os.environ["DATABASE_URL"]
    recreate_database(url)
    application = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None})
    application.test_client_class = FreshGlobalsClient
    # Workers in this process run actors in this app, whichever app a module built first
    # (schemathesis, for one, builds an app at collection time to read the OpenAPI document).
    from app.broker import app_context_middleware

    app_context_middleware.app = application
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    if not os.environ.get("KEEP_TEST_DB"):
        drop_database(url)


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs inside an app context and leaves the database empty behind it."""
    from app.extensions import db

    with app.app_context():
        yield
        empty_all_tables(db)


@pytest.fixture
def fresh_tables(app):
    """Tables as new files, for tests that read the planner's choices: each test's cleanup DELETEs,
    which leaves earlier tests' dead rows in the table's pages until autovacuum, and a small
    table grown on disk can change the planner's mind (a Sort where the list-order index was)."""
    from app.extensions import db

    truncate_all(db)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    """Every test starts with no rate-limit counters (only this run's keys are removed)."""
    from app.extensions import limiter

    yield
    limiter.reset()


@pytest.fixture
def rate_limits(app, monkeypatch):
    """Set rate limits for one test, e.g. `rate_limits(RATELIMIT_LOGIN="2 per minute")`."""

    def set_limits(**values):
        for name, value in values.items():
            monkeypatch.setitem(app.config, name, value)

    return set_limits


@pytest.fixture
def db(app):
    from app.extensions import db as database

    return database


@pytest.fixture
def client(app):
    return app.test_client()


def forget_unfinished(broker) -> None:
    """Empty every queue and mark all it handed out done.

    A stopped Worker drops the delayed messages its consumers held (the StubBroker has no requeue)
    without marking them done, so a later join() on their queue would wait forever: a test that
    left a delayed message (an email fallback, a webhook retry) hung the next test on that worker.
    """
    broker.flush_all()
    for queue in broker.queues.values():
        with queue.all_tasks_done:
            queue.unfinished_tasks = 0
            queue.all_tasks_done.notify_all()


@pytest.fixture
def stub_broker():
    """The StubBroker actors are declared on (tests run with DRAMATIQ_BROKER=stub)."""
    broker = dramatiq.get_broker()
    forget_unfinished(broker)
    yield broker
    forget_unfinished(broker)


@pytest.fixture
def stub_worker(stub_broker):
    worker = Worker(stub_broker, worker_timeout=50, worker_threads=2)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def redis_broker(app):
    """Every actor re-declared on a real RedisBroker whose namespace is unique to this test.

    Messages sent during the test cross a real Redis socket; nothing consumes them unless the
    test runs a worker (`redis_worker` in this process, or a `dramatiq app.worker` process
    given `DRAMATIQ_NAMESPACE=broker.namespace`).
    """
    from app.broker import make_broker

    stub = dramatiq.get_broker()
    namespace = f"civic-test-{uuid.uuid4().hex[:8]}"
    broker: RedisBroker = make_broker("redis", url=app.config["REDIS_URL"], namespace=namespace)
    broker.namespace = namespace
    actors = dict(stub.actors)
    for actor in actors.values():
        actor.broker = broker
        broker.declare_actor(actor)
    dramatiq.set_broker(broker)
    try:
        yield broker
    finally:
        broker.flush_all()
        # Actor modules first imported during the test declared their actors on this broker: move them too.
        for actor in {**actors, **broker.actors}.values():
            actor.broker = stub
            if actor.actor_name not in stub.actors:
                stub.declare_actor(actor)
        dramatiq.set_broker(stub)
        for key in broker.client.scan_iter(f"{namespace}*"):
            broker.client.delete(key)
        broker.close()


@pytest.fixture
def redis_worker(redis_broker):
    """A real worker consuming from real Redis, with worker threads with their own database sessions."""
    worker = Worker(redis_broker, worker_timeout=50, worker_threads=4)
    worker.start()
    try:
        yield redis_broker
    finally:
        worker.stop()


@pytest.fixture
def smtp_server(app):
    """A real SMTP listener; the app's outgoing mail goes to it for the test's duration."""
    sink = SmtpSink().start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_USE_TLS=False, MAIL_USE_SSL=False)
    mail_state = app.extensions["mail"]
    saved_state = {k: getattr(mail_state, k) for k in ("server", "port", "use_tls", "use_ssl")}
    mail_state.server, mail_state.port, mail_state.use_tls, mail_state.use_ssl = "127.0.0.1", sink.port, False, False
    try:
        yield sink
    finally:
        sink.stop()
        app.config.update(saved)
        for key, value in saved_state.items():
            setattr(mail_state, key, value)


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    """Uploaded files go to a temporary directory for the test's duration."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"
