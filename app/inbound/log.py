"""The incoming email log: every message an organization received, its status, and what it did.

`GET /api/v1/orgs/{org}/email-log?direction=in` (served by the notify area, which owns the
outgoing half) lists `incoming_log(org.id)` paginated and dumped with `IncomingLogEntrySchema`.
"""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import Select, select

from app.inbound.models import InboundEmail, InboundMessage


def incoming_log(organization_id: int, *, status: str | None = None) -> Select:
    """Rows of (InboundEmail, inbound message id or None) for the organization, newest first."""
    query = (
        select(InboundEmail, InboundMessage.id.label("inbound_message_id"))
        .outerjoin(InboundMessage, InboundMessage.inbound_email_id == InboundEmail.id)
        .where(InboundEmail.organization_id == organization_id)
    )
    if status:
        query = query.where(InboundEmail.status == status)
    return query.order_by(InboundEmail.received_at.desc(), InboundEmail.id.desc())


def log_entry(row) -> dict:
    """One row of `incoming_log` as the dict `IncomingLogEntrySchema` dumps."""
    stored, inbound_message_id = row
    return {
        "id": stored.id, "direction": "in", "created_at": stored.received_at, "received_at": stored.received_at,
        "received_via": stored.received_via,
        "message_id": stored.message_id, "from": stored.sender_email or stored.envelope_from,
        "to": stored.envelope_to, "subject": stored.subject, "status": stored.status, "reason": stored.reason,
        "outcome": stored.outcome, "request_id": stored.request_id, "comment_id": stored.comment_id,
        "inbound_message_id": inbound_message_id, "processed_at": stored.processed_at,
        "body": "kept" if stored.raw is not None else "body expired",
    }


class IncomingLogEntrySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    direction = ma.fields.String(required=True)
    received_at = ma.fields.DateTime(required=True)
    received_via = ma.fields.String(required=True)
    message_id = ma.fields.String(allow_none=True)
    from_ = ma.fields.String(data_key="from", attribute="from", allow_none=True)
    to = ma.fields.List(ma.fields.String())
    subject = ma.fields.String(allow_none=True)
    status = ma.fields.String(required=True)
    reason = ma.fields.String(allow_none=True)
    outcome = ma.fields.String(required=True)
    request_id = ma.fields.Integer(allow_none=True)
    comment_id = ma.fields.Integer(allow_none=True)
    inbound_message_id = ma.fields.Integer(allow_none=True)
    processed_at = ma.fields.DateTime(allow_none=True)
    body = ma.fields.String(metadata={"description": 'The raw message: "kept" or "body expired".'})
