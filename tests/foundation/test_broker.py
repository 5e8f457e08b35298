"""Actors run inside an app context with a clean session, on the stub and on real Redis."""

import dramatiq
from sqlalchemy import func, select

from app.events.models import Event
from app.extensions import db


@dramatiq.actor(queue_name="default", max_retries=0)
def record_event(kind: str) -> None:
    db.session.add(Event(kind=kind, payload={}))
    db.session.commit()


@dramatiq.actor(queue_name="default", max_retries=0)
def record_then_fail(kind: str) -> None:
    db.session.add(Event(kind=kind, payload={}))
    db.session.flush()
    raise RuntimeError("boom")


def _kinds() -> list[str]:
    db.session.remove()
    return list(db.session.scalars(select(Event.kind).order_by(Event.id)))


def test_stub_worker_runs_actor_in_app_context(stub_broker, stub_worker):
    record_event.send("stub.ping")
    stub_broker.join(record_event.queue_name)
    stub_worker.join()
    assert _kinds() == ["stub.ping"]


def test_failed_message_leaves_nothing_behind(stub_broker, stub_worker):
    record_then_fail.send("half.done")
    record_event.send("after.failure")
    stub_broker.join(record_event.queue_name, fail_fast=False)
    stub_worker.join()
    # The failed actor's flushed row was rolled back; the next message saw a clean session.
    assert _kinds() == ["after.failure"]


def test_real_redis_worker_processes_messages(redis_worker):
    for n in range(5):
        record_event.send(f"redis.{n}")
    redis_worker.join(record_event.queue_name, timeout=10_000)
    assert sorted(_kinds()) == [f"redis.{n}" for n in range(5)]
    assert db.session.scalar(select(func.count()).select_from(Event)) == 5


def test_every_contract_queue_is_declared(stub_broker):
    assert {"default", "fanout", "email", "inbound"} <= set(stub_broker.get_declared_queues())
