"""/api/v1/orgs/{org}/inbound-messages: the staff triage queue (Trackops' Inbound Messages)."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import require_org_permission
from app.inbound import triage
from app.inbound.schemas import (
    AttachedSchema,
    AttachSchema,
    CreatedRequestSchema,
    CreateRequestSchema,
    InboundMessageFilterArgs,
    InboundMessageSchema,
    QueueCountsSchema,
    StatusSchema,
)
from app.pagination import PaginationArgs, page_schema, paginate

URL_PREFIX = "/orgs/<org>/inbound-messages"
blp = Blueprint("inbound_messages", __name__, description="Staff: the Inbound Messages triage queue")

VIEW = "view_inbound_messages"
MODIFY = "modify_inbound_message_status"


class InboundMessageListArgs(PaginationArgs, InboundMessageFilterArgs):
    pass


@blp.get("")
@blp.arguments(InboundMessageListArgs, location="query")
@blp.response(200, page_schema(InboundMessageSchema))
def list_messages(args, org):
    """Messages awaiting review, needing attention or closed (filters: status, unread)."""
    organization, _ = require_org_permission(org, VIEW)
    query = triage.messages_query(organization, status=args.get("status"), unread=args.get("unread"))
    return paginate(query, args["page"], args["per_page"])


@blp.get("/unread-count")
@blp.response(200, QueueCountsSchema)
def unread_count(org):
    """For the dashboard's Inbound Message Watcher: unread and not-yet-closed counts."""
    organization, _ = require_org_permission(org, VIEW)
    return triage.queue_counts(organization)


@blp.get("/<int:message_id>")
@blp.response(200, InboundMessageSchema)
def get_message(org, message_id):
    """One message; opening it marks it read."""
    organization, viewer = require_org_permission(org, VIEW)
    return triage.read_message(organization, message_id, viewer)


@blp.post("/<int:message_id>/create-request")
@blp.arguments(CreateRequestSchema)
@blp.response(201, CreatedRequestSchema)
def create_request(body, org, message_id):
    """Create a request from the message (sender as reporter, files copied); the message closes."""
    organization, user = require_org_permission(org, MODIFY)
    request = triage.create_request(organization, user, message_id, **body)
    message = triage.get_message(organization, message_id)
    return {"request_id": request.id, "public_id": request.public_id, "message": message}


@blp.post("/<int:message_id>/attach")
@blp.arguments(AttachSchema)
@blp.response(200, AttachedSchema)
def attach(body, org, message_id):
    """Link the message to a request and add it as a comment (files included)."""
    organization, user = require_org_permission(org, MODIFY)
    comment_id = triage.attach_to_request(organization, user, message_id, body["request_id"])
    return {"comment_id": comment_id, "note": "added as a comment",
            "message": triage.get_message(organization, message_id)}


@blp.post("/<int:message_id>/status")
@blp.arguments(StatusSchema)
@blp.response(200, InboundMessageSchema)
def set_status(body, org, message_id):
    """Mark as Closed, Needs Attention or Awaiting Review."""
    organization, user = require_org_permission(org, MODIFY)
    return triage.set_status(organization, user, message_id, body["status"])


@blp.delete("/<int:message_id>")
@blp.response(204)
def delete_message(org, message_id):
    """Delete as spam: hidden from the queue; the record and who deleted it remain."""
    organization, user = require_org_permission(org, MODIFY)
    triage.delete_as_spam(organization, user, message_id)
