"""FixMyStreet's `servicerequestupdates` extension: comments and status changes, both ways.

GET lists the public updates of the jurisdiction's requests in a window (`start_date`,
`end_date`; at most 90 days, the latest 90 when unspecified), oldest first: each public comment
and each status change (acknowledged, closed, reopened), never an internal note or a name.
POST (with the organization's API key) adds an update from another 311 system: its
`description` becomes a public comment by the person it names (`email`, found or created as
for a POSTed request), and `status` (OPEN or CLOSED) closes or reopens the request through the
requests service, as the member who issued the key. An update that reopens a request gives its
description as the reopen's reason, as the API and the pages do (one rule: the reason is on the
timeline and in the reopen notification). `update_id` is ours: `c<comment id>` for
a comment, `e<event id>` for a status change.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.accounts.models import Organization, User
from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.open311 import filters, mapping
from app.open311.errors import BadRequest
from app.open311.models import ApiKey
from app.open311.queries import one_request
from app.open311.submit import Open311Report, reporter_for
from app.requests import service
from app.requests.models import Comment, CommentSource, ServiceRequest, Visibility

# Status changes another system sees, and the Open311 status each leaves the request in.
STATUS_EVENTS = {"request.acknowledged": "open", "request.closed": "closed", "request.reopened": "open"}
STATUS_WORDS = {"request.acknowledged": "Acknowledged", "request.closed": "Closed", "request.reopened": "Reopened"}
MAX_UPDATES = 1000


def list_updates(organization: Organization, args: MultiDict) -> list[dict]:
    """The public updates in the requested window, oldest first."""
    start, end = filters.requested_window(filters._datetime(args, "start_date"), filters._datetime(args, "end_date"),
                                          utcnow())
    comments = db.session.execute(
        select(Comment, ServiceRequest.public_id, ServiceRequest.status)
        .join(ServiceRequest, ServiceRequest.id == Comment.request_id)
        .where(ServiceRequest.organization_id == organization.id, Comment.visibility == Visibility.PUBLIC.value,
               Comment.created_at >= start, Comment.created_at <= end)
        .order_by(Comment.created_at, Comment.id).limit(MAX_UPDATES)).all()
    events = db.session.execute(
        select(Event, ServiceRequest.public_id)
        .join(ServiceRequest, ServiceRequest.id == Event.request_id)
        .where(Event.organization_id == organization.id, Event.kind.in_(STATUS_EVENTS),
               Event.created_at >= start, Event.created_at <= end)
        .order_by(Event.created_at, Event.id).limit(MAX_UPDATES)).all()
    updates = [(c.created_at, {
        "update_id": f"c{c.id}", "service_request_id": public_id, "status": mapping.OPEN311_STATUS[status],
        "updated_datetime": mapping.w3_datetime(c.created_at, organization), "description": c.body,
        "media_url": None}) for c, public_id, status in comments]
    updates += [(e.created_at, {
        "update_id": f"e{e.id}", "service_request_id": public_id, "status": STATUS_EVENTS[e.kind],
        "updated_datetime": mapping.w3_datetime(e.created_at, organization), "description": STATUS_WORDS[e.kind],
        "media_url": None}) for e, public_id in events]
    return [update for _, update in sorted(updates, key=lambda pair: (pair[0], pair[1]["update_id"]))][:MAX_UPDATES]


@dataclass(frozen=True)
class UpdateForm:
    service_request_id: str
    status: str | None
    description: str | None
    contact: Open311Report


def parse_update(form: MultiDict) -> UpdateForm:
    """The POST's fields, refused with the form's names."""
    request_id = (form.get("service_request_id") or "").strip()
    if not request_id:
        raise BadRequest("service_request_id was not provided.")
    status = (form.get("status") or "").strip().upper() or None
    if status not in (None, "OPEN", "CLOSED"):
        raise BadRequest(f"status must be OPEN or CLOSED, got {status!r}.")
    description = (form.get("description") or "").strip() or None
    if description is None and status is None:
        raise BadRequest("Give a description, a status, or both.")
    email = (form.get("email") or "").strip().lower()
    if description is not None and "@" not in email:
        raise BadRequest("email of the person who wrote the update was not provided.")
    contact = Open311Report(description=description or "", email=email or None,
                            first_name=(form.get("first_name") or "").strip()[:100] or None,
                            last_name=(form.get("last_name") or "").strip()[:100] or None) if description else None
    return UpdateForm(request_id, status, description, contact)


def post_update(organization: Organization, api_key: ApiKey, update: UpdateForm) -> dict:
    """Apply another system's update: the comment, then the status change; returns our update_id."""
    request = one_request(organization, update.service_request_id)
    update_id = None
    changes = bool(update.status) and mapping.OPEN311_STATUS[request.status] != update.status.lower()
    reopens = changes and update.status == "OPEN"
    # Status changes are the organization's: made as the member who issued the key.
    member = db.session.get(User, api_key.created_by_id) if api_key.created_by_id else None
    # The writer, as for a POSTed request; an address whose account may not be attached (staff)
    # writes nothing in that account's name: the key's member posts it.
    author = (reporter_for(organization, update.contact) or member) if update.description else None
    if update.description and not reopens:
        comment = service.add_comment(request.id, author, update.description, Visibility.PUBLIC,
                                      source=CommentSource.OPEN311)
        update_id = f"c{comment.id}"
    if changes:
        if reopens:
            service.reopen(request.id, member, update.description, organization=organization,
                           comment_author=author, source=CommentSource.OPEN311)
            reason_id = db.session.scalar(select(Event.payload["comment_id"].as_integer()).where(
                Event.request_id == request.id, Event.kind == "request.reopened").order_by(Event.id.desc()).limit(1))
            update_id = f"c{reason_id}" if reason_id else None
        else:
            service.close(request.id, member, organization=organization)
    if update_id is None:  # the status change (or, when it changed nothing, the latest one)
        event_id = db.session.scalar(select(Event.id).where(Event.request_id == request.id,
                                                            Event.kind.in_(STATUS_EVENTS))
                                     .order_by(Event.id.desc()).limit(1))
        update_id = f"e{event_id}" if event_id else None
    return {"update_id": update_id}
