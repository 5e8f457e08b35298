"""Recording events, and sending them to the fan-out once (and only once) they are committed."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from app.events.kinds import check_payload
from app.events.models import Event
from app.extensions import db
from app.observability.context import current_request_id

log = logging.getLogger(__name__)

_PENDING = "civic_pending_event_ids"
_CAUSE = "civic_automation_run_id"


def record_event(kind: str, *, request=None, organization_id: int | None = None, actor=None,
                 payload: dict | None = None) -> Event:
    """Add an Event to the current transaction; it is sent to the fan-out after commit.

    The payload must be what the kind's catalogue entry (app/events/kinds.py) says: a kind or
    key it does not name raises `PayloadInvalid` before anything is written.
    """
    payload = payload or {}
    check_payload(kind, payload)
    event = Event(
        kind=kind,
        request_id=request.id if request is not None else None,
        organization_id=organization_id if organization_id is not None else getattr(request, "organization_id", None),
        actor_id=actor.id if actor is not None else None,
        payload=payload,
        trace_id=current_request_id(),
        automation_run_id=db.session.info.get(_CAUSE),
    )
    db.session.add(event)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append((event.id, fanout_facts(event, request, actor)))
    return event


def fanout_facts(event: Event, request, actor) -> dict:
    """What the fan-out reads about an event, carried in its message: the fan-out need not wait to read them.

    The fan-out's claim checks them against the database (app/notify/fanout.py: CLAIM_EVENT_AS_SENT)
    and reads them itself when one changed (a recategorized request, a changed address).
    """
    return {"kind": event.kind, "organization_id": event.organization_id, "request_id": event.request_id,
            "category_id": request.category_id if request is not None else None, "actor_id": event.actor_id,
            "actor_email": actor.email if actor is not None else None, "payload": event.payload}


@contextmanager
def caused_by_automation(run_id: int):
    """Events recorded inside this block are an automation run's doing (automations skip them)."""
    db.session.info[_CAUSE] = run_id
    try:
        yield
    finally:
        db.session.info.pop(_CAUSE, None)


def dispatch(events: list[tuple[int, dict]]) -> None:
    """Hand committed events (id, fanout_facts) to the fan-out; a failure here is repaired by the relay sweep."""
    from app.notify.actors import fan_out_event

    for event_id, facts in events:
        try:
            fan_out_event.send(event_id, facts)
        except Exception:
            log.exception("could not enqueue event %s; the relay will resend it", event_id)


@sa_event.listens_for(Session, "after_commit")
def _send_committed_events(session: Session) -> None:
    # SQLAlchemy also calls this when a SAVEPOINT is released: the events are not committed
    # yet, and a fan-out that ran now would find nothing (an emailed reply's comment, posted in
    # a savepoint, was then only repaired by the relay, or never in a run without a scheduler).
    if session.in_nested_transaction():
        return
    events = session.info.pop(_PENDING, None)
    if events:
        dispatch(events)


@sa_event.listens_for(Session, "after_rollback")
def _forget_rolled_back_events(session: Session) -> None:
    # A rolled-back SAVEPOINT must not drop the events the outer transaction still holds;
    # ids of events undone with it are sent with the rest, and the fan-out finds nothing for them.
    if session.in_nested_transaction():
        return
    session.info.pop(_PENDING, None)
