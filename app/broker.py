"""The Dramatiq broker. Import this module before any actor module.

The broker is chosen once, at import, from the environment: a RedisBroker on
`REDIS_URL` (namespace `DRAMATIQ_NAMESPACE`), or a StubBroker when
`DRAMATIQ_BROKER=stub` (unit tests). `AppContextMiddleware` gives every message an
application context and a clean `db.session`.
"""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware

from app.observability.tracing import RequestIdMiddleware

# One queue per concern, as CONTRACT.md names them; `webhooks` so receivers never delay email.
QUEUES = ("default", "fanout", "email", "inbound", "webhooks")


class AppContextMiddleware(Middleware):
    """Push a Flask app context around each message; leave no session state behind."""

    def __init__(self) -> None:
        self.app = None
        self._contexts: dict[int, object] = {}

    def before_process_message(self, broker, message):
        if self.app is None:
            raise RuntimeError("AppContextMiddleware has no app: call create_app() in this process")
        ctx = self.app.app_context()
        ctx.push()
        self._contexts[id(message)] = ctx

    def _teardown(self, message, failed: bool) -> None:
        ctx = self._contexts.pop(id(message), None)
        if ctx is None:
            return
        from app.extensions import db

        try:
            if failed:
                db.session.rollback()
        finally:
            db.session.remove()
            ctx.pop()

    def after_process_message(self, broker, message, *, result=None, exception=None):
        self._teardown(message, failed=exception is not None)

    def after_skip_message(self, broker, message):
        self._teardown(message, failed=True)


app_context_middleware = AppContextMiddleware()


def make_broker(kind: str | None = None, url: str | None = None, namespace: str | None = None):
    """Build a broker with the app-context middleware and every queue declared."""
    kind = kind or os.environ.get("DRAMATIQ_BROKER", "redis")
    if kind == "stub":
        broker = StubBroker()
    else:
        broker = RedisBroker(
            url=url or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            namespace=namespace or os.environ.get("DRAMATIQ_NAMESPACE", "dramatiq"),
        )
    broker.add_middleware(app_context_middleware)
    broker.add_middleware(RequestIdMiddleware())
    for queue in QUEUES:
        broker.declare_queue(queue)
    return broker


broker = make_broker()
dramatiq.set_broker(broker)


def init_app(app) -> None:
    """Let workers in this process run actors inside `app` (the first app a process builds)."""
    if app_context_middleware.app is None:
        app_context_middleware.app = app
    app.extensions["dramatiq_broker"] = dramatiq.get_broker()
