"""What a webhook says about an event: the Standard Webhooks envelope {type, timestamp, data}.

`data` holds the event (id, kind, organization, actor, its catalogue payload), the request as
the public sees it (no reporter contact: the receiver is another system, not a member), and
for comment events the comment itself. Receivers dedupe by the `webhook-id` header.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from app.accounts.models import Organization
from app.db_types import isoformat_utc
from app.events.models import Event
from app.extensions import db
from app.requests.models import Comment, ServiceRequest
from app.requests.policy import Audience
from app.requests.schemas import RequestSchema, RequestView


def event_payload(event: Event) -> dict:
    """The envelope for one event (the same for every endpoint and every retry)."""
    organization = db.session.get(Organization, event.organization_id) if event.organization_id else None
    data = {
        "event_id": event.id,
        "kind": event.kind,
        "organization": organization.slug if organization else None,
        "actor_id": event.actor_id,
        "payload": event.payload or {},
        "request": None,
    }
    if event.request_id is not None:
        request = db.session.get(ServiceRequest, event.request_id)
        if request is not None:
            data["request"] = RequestSchema().dump(RequestView(request, Audience.PUBLIC))
    comment_id = (event.payload or {}).get("comment_id")
    if comment_id is not None:
        comment = db.session.scalar(select(Comment).where(Comment.id == comment_id,
                                                          Comment.request_id == event.request_id))
        if comment is not None:
            data["comment"] = {"id": comment.id, "body": comment.body, "visibility": comment.visibility,
                               "author_id": comment.author_id, "created_at": isoformat_utc(comment.created_at)}
    return {"type": event.kind, "timestamp": isoformat_utc(event.created_at), "data": data}


def encode(payload: dict) -> str:
    """The exact body that is signed and sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)
