"""What the privacy endpoints accept and show."""

from __future__ import annotations

import marshmallow as ma

from app.accounts.schemas import PublicUserSchema
from app.inputs import InputSchema
from app.pagination import PaginationArgs
from app.privacy.models import AuditAction, PhotoPolicy
from app.privacy.retention import LIMITS


class DeleteAccountSchema(InputSchema):
    password = ma.fields.String(load_only=True, validate=ma.validate.Length(min=1, max=1024))
    token = ma.fields.String(load_only=True, validate=ma.validate.Length(min=1, max=1000), metadata={
        "description": "The token of the link POST /me/deletion-link emailed (valid for an hour)."})


def _period(name: str) -> ma.fields.Integer:
    low, high = LIMITS[name]
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=low, max=high))


class RetentionSchema(ma.Schema):
    raw_inbound_days = ma.fields.Integer(required=True, metadata={"description": "Raw inbound mail (default 30)."})
    outgoing_body_hours = ma.fields.Integer(required=True, metadata={
        "description": "Composed outgoing messages (default 72, like OneDesk's log)."})
    spam_days = ma.fields.Integer(required=True, metadata={
        "description": "Triage messages deleted as spam, counted from the deletion (default 30)."})
    delivery_record_days = ma.fields.Integer(required=True, metadata={
        "description": "Delivery status rows of the email log (default 365)."})
    photos_on_account_deletion = ma.fields.String(required=True, validate=ma.validate.OneOf(
        [p.value for p in PhotoPolicy]), metadata={"description": "A deleted resident's photos: keep or remove."})


class RetentionUpdateSchema(InputSchema):
    raw_inbound_days = _period("raw_inbound_days")
    outgoing_body_hours = _period("outgoing_body_hours")
    spam_days = _period("spam_days")
    delivery_record_days = _period("delivery_record_days")
    photos_on_account_deletion = ma.fields.String(validate=ma.validate.OneOf([p.value for p in PhotoPolicy]))


class AuditEntrySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    action = ma.fields.String(required=True, validate=ma.validate.OneOf([a.value for a in AuditAction]))
    actor = ma.fields.Nested(PublicUserSchema, allow_none=True, metadata={"description": "Who looked or acted."})
    subject = ma.fields.Nested(PublicUserSchema, allow_none=True, metadata={
        "description": "The resident (\"a former resident\" once deleted)."})
    request_id = ma.fields.Integer(allow_none=True)
    where = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class AuditArgs(InputSchema, PaginationArgs):
    action = ma.fields.String(validate=ma.validate.OneOf([a.value for a in AuditAction]))


class AnonymitySchema(InputSchema):
    anonymous = ma.fields.Boolean(required=True, metadata={
        "description": "true hides the reporter's name from everyone but the organization's staff."})
