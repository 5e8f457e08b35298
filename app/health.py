"""`GET /healthz`: every part the platform needs, each checked and named."""

from __future__ import annotations

import os
import smtplib

import redis
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("health", __name__)


def _check_database() -> dict:
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        postgis = conn.execute(text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")).scalar()
        revision = None
        if conn.execute(text("SELECT to_regclass('alembic_version')")).scalar():
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    head = ScriptDirectory(os.path.join(current_app.extensions["migrate"].directory)).get_current_head()
    return {
        "database": {"ok": True},
        "postgis": {"ok": postgis is not None, "version": postgis},
        "migrations": {"ok": revision == head, "current": revision, "head": head},
    }


def _check_redis() -> dict:
    client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"redis": {"ok": True}}


def _check_mail() -> dict:
    host, port = current_app.config["MAIL_SERVER"], current_app.config["MAIL_PORT"]
    with smtplib.SMTP(host, port, timeout=3) as smtp:
        code, _ = smtp.noop()
    return {"mail": {"ok": code == 250, "transport": current_app.config["MAIL_TRANSPORT"],
                     "server": f"{host}:{port}"}}


def _failed(names: tuple[str, ...], exc: Exception) -> dict:
    return {name: {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip()[:300]} for name in names}


CHECKS = (
    (("database", "postgis", "migrations"), _check_database),
    (("redis",), _check_redis),
    (("mail",), _check_mail),
)


@bp.get("/healthz")
def healthz():
    """Report each dependency; 503 naming the parts that are down."""
    parts: dict = {}
    for names, check in CHECKS:
        try:
            parts.update(check())
        except Exception as exc:  # a health check reports failures, it never raises them
            parts.update(_failed(names, exc))
    failing = sorted(name for name, part in parts.items() if not part["ok"])
    body = {"status": "ok" if not failing else "fail", "failing": failing, "checks": parts}
    return jsonify(body), 200 if not failing else 503
