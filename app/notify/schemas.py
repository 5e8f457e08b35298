"""Marshmallow schemas of the notification API (in and out)."""

from __future__ import annotations

import marshmallow as ma

from app.notify.models import EmailFrequency
from app.pagination import PaginationArgs

_FREQUENCIES = [f.value for f in EmailFrequency]


class ActorSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    event = ma.fields.String(required=True, metadata={"description": "the event kind, e.g. request.closed"})
    request_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    seen_at = ma.fields.DateTime(allow_none=True)
    request_public_id = ma.fields.String(allow_none=True)
    organization = ma.fields.String(allow_none=True, metadata={"description": "organization slug"})
    summary = ma.fields.String(required=True, metadata={"description": "one line to show in a list"})
    actor = ma.fields.Nested(ActorSchema, allow_none=True)
    reason = ma.fields.String(metadata={"description": "why you received it"})
    internal = ma.fields.Boolean()
    url = ma.fields.String(allow_none=True, metadata={"description": "the page it is about (from PUBLIC_BASE_URL)"})


class NotificationListArgs(PaginationArgs):
    unseen = ma.fields.Boolean(load_default=False, metadata={"description": "only unseen notifications"})


class UnreadCountSchema(ma.Schema):
    count = ma.fields.Integer(required=True)


class MarkedSchema(ma.Schema):
    marked = ma.fields.Integer(required=True)


class PreferenceGroupSchema(ma.Schema):
    group = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    editable = ma.fields.Boolean(required=True)
    channels = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean(), required=True)


class PreferencesSchema(ma.Schema):
    email_frequency = ma.fields.String(required=True, metadata={"enum": _FREQUENCIES})
    groups = ma.fields.List(ma.fields.Nested(PreferenceGroupSchema), required=True)
    in_app_alert = ma.fields.Boolean(required=True, metadata={
        "description": "a sound and a browser notification when a new notification arrives"})


class PreferencesUpdateSchema(ma.Schema):
    email_frequency = ma.fields.String(validate=ma.validate.OneOf(_FREQUENCIES))
    groups = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean()),
        metadata={"description": 'e.g. {"following": {"email": false}}'})
    in_app_alert = ma.fields.Boolean(metadata={"description": "ping and browser notification on new ones"})


class NotificationLogItemSchema(ma.Schema):
    channel = ma.fields.String(required=True)
    id = ma.fields.Integer(required=True)
    event = ma.fields.String(required=True)
    request_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True)
    status_at = ma.fields.DateTime(allow_none=True, metadata={"description": "when it was seen or sent"})
    email = ma.fields.String(allow_none=True)


class EventSwitchSchema(ma.Schema):
    event = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    enabled = ma.fields.Boolean(required=True)
    can_disable = ma.fields.Boolean(required=True)


class OrganizationSettingsSchema(ma.Schema):
    events = ma.fields.List(ma.fields.Nested(EventSwitchSchema), required=True)
    inbound_notice_to = ma.fields.String(allow_none=True)
    inbound_notice_cc = ma.fields.String(allow_none=True)
    general_email = ma.fields.String(allow_none=True)
    default_locale = ma.fields.String(metadata={"description": "the language of mail to people without one, "
                                                               "and of template overrides (`en`, `es`, ...)"})


class OrganizationSettingsUpdateSchema(ma.Schema):
    events = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean(),
                            metadata={"description": 'e.g. {"request.followed": false}'})
    inbound_notice_to = ma.fields.Email(allow_none=True)
    inbound_notice_cc = ma.fields.Email(allow_none=True)
    default_locale = ma.fields.String(metadata={"description": "`en`, `es`, ..."})


class CategoryRuleSchema(ma.Schema):
    event = ma.fields.String(required=True)
    audience = ma.fields.String(required=True)
    channels = ma.fields.List(ma.fields.String(), required=True)
    default_channels = ma.fields.List(ma.fields.String(), required=True)
    overridden = ma.fields.Boolean(required=True)


class NamedSchema(ma.Schema):
    name = ma.fields.String(required=True)
    label = ma.fields.String(required=True)


class CategoryRulesSchema(ma.Schema):
    category_id = ma.fields.Integer(required=True)
    rules = ma.fields.List(ma.fields.Nested(CategoryRuleSchema), required=True)
    audiences = ma.fields.List(ma.fields.Nested(NamedSchema), required=True)
    channels = ma.fields.List(ma.fields.String(), required=True)


class CategoryOverrideSchema(ma.Schema):
    event = ma.fields.String(required=True)
    audience = ma.fields.String(required=True)
    channels = ma.fields.List(ma.fields.String(), required=True, metadata={"description": "[] turns the cell off"})


class CategoryOverridesSchema(ma.Schema):
    overrides = ma.fields.List(ma.fields.Nested(CategoryOverrideSchema), required=True)


class TemplateSchema(ma.Schema):
    event = ma.fields.String(required=True)
    locale = ma.fields.String(required=True, metadata={"description": "the language of this override"})
    written_in = ma.fields.List(ma.fields.String(), required=True,
                                metadata={"description": "the languages the organization has overridden it in"})
    subject = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    html = ma.fields.String(required=True)
    overridden = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean(), required=True)
    variables = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)


class TemplateArgs(ma.Schema):
    locale = ma.fields.String(load_default=None, metadata={"description": "default: the organization's language"})


class TemplateDraftSchema(ma.Schema):
    locale = ma.fields.String(allow_none=True, load_default=None,
                              metadata={"description": "the override's language (default: the organization's)"})
    subject = ma.fields.String(allow_none=True, load_default=None, validate=ma.validate.Length(max=2000))
    text = ma.fields.String(allow_none=True, load_default=None, validate=ma.validate.Length(max=100_000))
    html = ma.fields.String(allow_none=True, load_default=None, validate=ma.validate.Length(max=200_000))


class RenderedSchema(ma.Schema):
    subject = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    html = ma.fields.String(required=True)


class EmailLogArgs(PaginationArgs):
    direction = ma.fields.String(load_default="out", validate=ma.validate.OneOf(["in", "out"]))


class EmailLogItemSchema(ma.Schema):
    """An outgoing delivery (direction out) or a received message (direction in; the fields below)."""

    id = ma.fields.Integer(required=True)
    direction = ma.fields.String(dump_default="out")
    event_id = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String()
    email = ma.fields.String()
    user_id = ma.fields.Integer(allow_none=True)
    request_id = ma.fields.Integer(allow_none=True)
    audience = ma.fields.String()
    internal = ma.fields.Boolean()
    status = ma.fields.String(required=True)
    attempts = ma.fields.Integer()
    smtp_code = ma.fields.Integer(allow_none=True)
    smtp_reply = ma.fields.String(allow_none=True)
    message_id = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    send_after = ma.fields.DateTime(allow_none=True)
    sent_at = ma.fields.DateTime(allow_none=True)
    body = ma.fields.String(metadata={"description": 'The stored message: "kept", "body expired" (past the '
                                                     'retention period) or "not stored".'})
    # Incoming mail (direction in): see app/inbound/log.py.
    received_at = ma.fields.DateTime()
    received_via = ma.fields.String()
    from_ = ma.fields.String(data_key="from", attribute="from", allow_none=True)
    to = ma.fields.List(ma.fields.String())
    subject = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    outcome = ma.fields.String()
    comment_id = ma.fields.Integer(allow_none=True)
    inbound_message_id = ma.fields.Integer(allow_none=True)
    processed_at = ma.fields.DateTime(allow_none=True)


class UnsubscribedSchema(ma.Schema):
    unsubscribed = ma.fields.Boolean(required=True)
    email = ma.fields.String(required=True)
    what = ma.fields.String(required=True, metadata={"description": "what will no longer be sent"})
