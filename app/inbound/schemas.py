"""Marshmallow schemas of the triage API (staff): Inbound Messages in and out."""

from __future__ import annotations

import marshmallow as ma

from app.inbound.models import InboundMessageStatus

STATUSES = [s.value for s in InboundMessageStatus]


class InboundMessageFilterArgs(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    unread = ma.fields.Boolean()


class InboundAttachmentSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    filename = ma.fields.String(required=True)
    content_type = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)


class RefusedAttachmentSchema(ma.Schema):
    filename = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)


class InboundMessageSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    reason_text = ma.fields.String(required=True)
    sender_email = ma.fields.String(required=True)
    sender_name = ma.fields.String(required=True)
    sender_user_id = ma.fields.Integer(allow_none=True)
    recipient = ma.fields.String(required=True)
    subject = ma.fields.String(required=True)
    body = ma.fields.String(required=True, metadata={"description": "The new text, quotes and signature removed"})
    full_body = ma.fields.String(required=True, metadata={"description": "The whole text, quotes included"})
    request_id = ma.fields.Integer(allow_none=True)
    unread = ma.fields.Function(lambda m: m.read_at is None, required=True)
    read_at = ma.fields.DateTime(allow_none=True)
    attachments = ma.fields.List(ma.fields.Nested(InboundAttachmentSchema), required=True)
    refused_attachments = ma.fields.List(ma.fields.Nested(RefusedAttachmentSchema), required=True)
    inbound_email_id = ma.fields.Integer(required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


class QueueCountsSchema(ma.Schema):
    unread = ma.fields.Integer(required=True)
    open = ma.fields.Integer(required=True, metadata={"description": "Not yet closed"})


class CreateRequestSchema(ma.Schema):
    category_id = ma.fields.Integer(required=True)
    lat = ma.fields.Float(required=True, validate=ma.validate.Range(min=-90, max=90))
    lng = ma.fields.Float(required=True, validate=ma.validate.Range(min=-180, max=180))
    address = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    description = ma.fields.String(validate=ma.validate.Length(min=1, max=20000),
                                   metadata={"description": "Defaults to the message's text"})


class CreatedRequestSchema(ma.Schema):
    request_id = ma.fields.Integer(required=True)
    public_id = ma.fields.String(required=True)
    message = ma.fields.Nested(InboundMessageSchema, required=True)


class AttachSchema(ma.Schema):
    request_id = ma.fields.Integer(required=True)


class AttachedSchema(ma.Schema):
    comment_id = ma.fields.Integer(allow_none=True, required=True)
    note = ma.fields.String(required=True)
    message = ma.fields.Nested(InboundMessageSchema, required=True)


class StatusSchema(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
