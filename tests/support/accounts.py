"""Helpers for account flows driven through HTTP: events recorded, links as emails carry them."""

from __future__ import annotations

from sqlalchemy import select

from app.events.models import Event
from app.extensions import db


def events_of(kind: str) -> list[Event]:
    """The committed events of one kind, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def run_queued_jobs(stub_broker, stub_worker) -> None:
    """Let the worker finish everything queued on the default queue."""
    stub_broker.join("default")
    stub_worker.join()


def log_in(client, email: str, password: str, **extra):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password}, **extra)
