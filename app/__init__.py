"""Application factory: reads like a table of contents."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask

# The broker exists before any actor module can be imported (actors bind to it when declared).
from app import broker as _broker  # noqa: F401  isort: skip
from app.config import load_config
from app.links import CivicFlask


def create_app(overrides: Mapping | None = None) -> Flask:
    """Build the web application; `overrides` (tests, scripts) win over the environment."""
    app = CivicFlask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_config())
    if overrides:
        app.config.from_mapping(overrides)
    register_logging(app)
    register_extensions(app)
    register_observability(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    from app.observability.logs import configure_logging

    configure_logging(app.config["LOG_FORMAT"])
    # Alembic announces every plugin it loads at INFO; that is noise in every CLI call.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from app import broker
    from app.extensions import db, limiter, mail, migrate

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from app.sessions import CookieSessionInterface

    app.session_interface = CookieSessionInterface()
    db.init_app(app)
    from app.pool import check_on_checkout

    with app.app_context():
        for engine in db.engines.values():
            check_on_checkout(engine)
    migrate.init_app(app, db, directory=_migrations_dir())
    mail.init_app(app)
    limiter.init_app(app)
    broker.init_app(app)
    from app import i18n
    from app.api.auth import current_user

    i18n.init_app(app, person=current_user)
    import app.models  # noqa: F401  (every model registered on the metadata)


def register_observability(app: Flask) -> None:
    from app.observability.web import init_app

    init_app(app)  # first: every request gets its id and timing before any other hook runs


def register_blueprints(app: Flask) -> None:
    from app.api import register_api
    from app.health import bp as health_bp
    from app.inbound.webhook import bp as inbound_webhook_bp
    from app.open311.routes import bp as open311_bp
    from app.portal import register_portal

    app.register_blueprint(health_bp)
    app.register_blueprint(inbound_webhook_bp)
    app.register_blueprint(open311_bp)
    register_api(app)
    register_portal(app)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)


def _migrations_dir() -> str:
    import os

    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")
