"""Schemas of the automations API and of custom email templates."""

from __future__ import annotations

import marshmallow as ma

from app.automations.rules import MAX_DELAY_MINUTES
from app.inputs import InputSchema
from app.notify.schemas import TemplateSchema
from app.pagination import PaginationArgs


class AutomationFieldsSchema(InputSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    trigger_kind = ma.fields.String(metadata={"description": "an event kind, e.g. request.closed"})
    category_id = ma.fields.Integer(allow_none=True, strict=True, metadata={"description": "only this category"})
    status = ma.fields.String(allow_none=True, metadata={
        "description": "only if the request has this status when the run falls due (open, acknowledged, closed)"})
    delay_minutes = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=MAX_DELAY_MINUTES),
                                      metadata={"description": "how long after the event (0: at once)"})
    business_hours = ma.fields.Boolean(metadata={"description": "count the delay in business hours"})
    actions = ma.fields.List(ma.fields.Dict(), metadata={
        "description": 'e.g. [{"type": "email", "template": "custom.how-did-we-do", "audience": "reporter"}]; '
                       'message {visibility, body}, assign {assignee_id}, set_due {hours, business_hours}, '
                       'status {to}'})
    enabled = ma.fields.Boolean()


class AutomationCreateSchema(AutomationFieldsSchema):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "trigger_kind", "actions"):
            self.fields[name].required = True


class AutomationUpdateSchema(AutomationFieldsSchema):
    message = ma.fields.String(validate=ma.validate.Length(min=1, max=20_000), metadata={
        "description": "the critical automation only: its message (the request.comment_public template's text)"})


class AutomationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    critical = ma.fields.Boolean(required=True, metadata={"description": "listed, editable message, never off"})
    name = ma.fields.String(required=True)
    trigger_kind = ma.fields.String(required=True)
    category_id = ma.fields.Integer(allow_none=True)
    status = ma.fields.String(allow_none=True)
    delay_minutes = ma.fields.Integer(required=True)
    business_hours = ma.fields.Boolean(required=True)
    actions = ma.fields.List(ma.fields.Dict(), required=True)
    enabled = ma.fields.Boolean(required=True)
    message = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


class AutomationListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AutomationSchema), required=True)


class RunEmailSchema(ma.Schema):
    email = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    smtp_reply = ma.fields.String(allow_none=True)


class AutomationRunSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    event_id = ma.fields.Integer(required=True, metadata={"description": "the event that triggered it"})
    request_id = ma.fields.Integer(allow_none=True)
    due_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True, metadata={"description": "pending, done, skipped, failed"})
    attempts = ma.fields.Integer(required=True, metadata={"description": "attempts begun (a worker that died mid-run left nothing of it)"})
    error = ma.fields.String(allow_none=True, metadata={"description": "why the last attempt that errored failed"})
    ran_at = ma.fields.DateTime(allow_none=True)
    log = ma.fields.List(ma.fields.String(), required=True, metadata={"description": "what it did, in words"})
    emails = ma.fields.List(ma.fields.Nested(RunEmailSchema), required=True,
                            metadata={"description": "the emails its actions caused, with their outcome"})


class RunListArgs(PaginationArgs):
    pass


class CustomTemplateCreateSchema(InputSchema):
    key = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=56),
                           metadata={"description": "the template is then `custom.<key>`"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    subject = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100_000))
    html = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=200_000))


class CustomTemplateSchema(TemplateSchema):
    name = ma.fields.String(required=True)
