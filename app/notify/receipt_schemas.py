"""Marshmallow schemas of delivery receipts (GET /requests/{id}/comments/{cid}/deliveries)."""

from __future__ import annotations

import marshmallow as ma


class ReceiptPersonSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class InAppReceiptSchema(ma.Schema):
    notified_at = ma.fields.DateTime(required=True)
    seen_at = ma.fields.DateTime(allow_none=True, metadata={"description": "when they saw it in the app"})


class EmailReceiptSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"description": "the delivery row's status"})
    outcome = ma.fields.String(required=True, metadata={
        "description": "delivered, deferred, bounced, failed, suppressed, not_needed, waiting, queued, sending, "
                       "held or digested"})
    outcome_text = ma.fields.String(required=True)
    smtp_code = ma.fields.Integer(allow_none=True)
    smtp_reply = ma.fields.String(allow_none=True, metadata={"description": "what the mail server answered"})
    sent_at = ma.fields.DateTime(allow_none=True)
    attempts = ma.fields.Integer()


class ReceiptSchema(ma.Schema):
    user = ma.fields.Nested(ReceiptPersonSchema, allow_none=True, metadata={"description": "None: an outside address"})
    address = ma.fields.String(allow_none=True, metadata={"description": "the address emailed, if any"})
    audience = ma.fields.String(required=True, metadata={"description": "the matrix audience that reached them"})
    in_app = ma.fields.Nested(InAppReceiptSchema, allow_none=True)
    email = ma.fields.Nested(EmailReceiptSchema, allow_none=True)
    summary = ma.fields.String(required=True)


class CommentDeliveriesSchema(ma.Schema):
    comment_id = ma.fields.Integer(required=True)
    recipients = ma.fields.List(ma.fields.Nested(ReceiptSchema), required=True)
