"""Request, comment and timeline schemas: what clients send, and what each audience gets back.

Output is one documented schema per resource; `RequestSchema` keeps only the fields the
viewing audience may see (`AUDIENCE_FIELDS`, a whitelist applied after dumping), so a field
added later stays hidden until it is listed for an audience. Input schemas reject unknown
fields (marshmallow's RAISE), so no body can set status, assignee, organization or role
except through the staff actions that exist for them.
"""

from __future__ import annotations

from datetime import UTC
from functools import cached_property

import marshmallow as ma
from flask import current_app
from flask_babel import gettext as _
from flask_smorest.fields import Upload
from webargs.fields import DelimitedList

from app.accounts.schemas import OrganizationRefSchema
from app.inputs import InputSchema
from app.inputs import Moment as WindowedMoment
from app.pagination import PaginationArgs
from app.requests.models import RequestStatus, ServiceRequest, Visibility
from app.requests.policy import Audience
from app.serialization import FastDump
from emails.addresses import request_address
from geo.wkb import point_coordinates

MAX_DESCRIPTION = 5000
# Ids of INTEGER columns (users, categories): larger numbers can name no row.
ROW_ID = ma.validate.Range(min=1, max=2**31 - 1)
MAX_COMMENT = 10000


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError(_("Must not be blank."))


def Latitude(**kwargs):  # noqa: N802  (a field factory reads like a field class)
    return ma.fields.Float(validate=ma.validate.Range(min=-90, max=90), **kwargs)


def Longitude(**kwargs):  # noqa: N802
    return ma.fields.Float(validate=ma.validate.Range(min=-180, max=180), **kwargs)


def Moment(**kwargs):  # noqa: N802
    """An ISO 8601 date-time inside the window (app/inputs.py); one without an offset is read as UTC."""
    return WindowedMoment(default_timezone=UTC, **kwargs)


# -- input --------------------------------------------------------------------------------


class RequestSubmitSchema(InputSchema):
    category_id = ma.fields.Integer(required=True, strict=True, validate=ROW_ID)
    lat = Latitude(required=True)
    lng = Longitude(required=True)
    address = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    description = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=MAX_DESCRIPTION),
                                                            _not_blank])
    answers = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=64)),
                             values=ma.fields.Raw(allow_none=True), load_default=dict,
                             metadata={"description": "Answers to the category's questions, by question code."})
    anonymous = ma.fields.Boolean(load_default=False, metadata={
        "description": "true: your name is not shown publicly (the organization's staff still see it)."})


class RequestFiltersSchema(InputSchema, PaginationArgs):
    status = DelimitedList(ma.fields.String(validate=ma.validate.OneOf([s.value for s in RequestStatus])),
                           metadata={"description": "Comma-separated statuses."})
    category = DelimitedList(ma.fields.Integer(validate=ROW_ID), metadata={"description": "Comma-separated category ids."})
    bbox = DelimitedList(ma.fields.Float(), validate=ma.validate.Length(equal=4),
                         metadata={"description": "min_lng,min_lat,max_lng,max_lat"})
    lat = Latitude()
    lng = Longitude()
    radius_m = ma.fields.Float(validate=ma.validate.Range(min=1, max=50_000),
                               metadata={"description": "With lat and lng: requests within this many metres."})
    updated_after = Moment()
    assigned_to = ma.fields.Integer(validate=ROW_ID)
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=200),
                         metadata={"description": "Words in the description or address."})
    mine = ma.fields.Boolean(load_default=False, metadata={"description": "Only requests I reported."})

    @ma.validates_schema
    def _coherent(self, data, **kwargs):
        near = [name for name in ("lat", "lng", "radius_m") if data.get(name) is not None]
        if near and len(near) != 3:
            missing = [name for name in ("lat", "lng", "radius_m") if name not in near]
            raise ma.ValidationError({name: [_("lat, lng and radius_m go together.")] for name in missing})
        if data.get("bbox"):
            min_lng, min_lat, max_lng, max_lat = data["bbox"]
            if not (-180 <= min_lng < max_lng <= 180 and -90 <= min_lat < max_lat <= 90):
                raise ma.ValidationError(_("Expected min_lng,min_lat,max_lng,max_lat within -180..180 "
                                         "and -90..90, minimum before maximum."), "bbox")


class CommentCreateSchema(InputSchema):
    body = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=MAX_COMMENT), _not_blank],
                            metadata={"description": 'Staff may mention members: @first.last (email '
                                                     'local part) or @"Full Name".'})
    visibility = ma.fields.String(load_default=Visibility.PUBLIC.value,
                                  validate=ma.validate.OneOf([v.value for v in Visibility]))


class CloseSchema(InputSchema):
    """Close or reopen, with an optional public comment (the reason)."""

    comment = ma.fields.String(load_default=None, allow_none=True,
                               validate=[ma.validate.Length(min=1, max=MAX_COMMENT), _not_blank])


ReopenSchema = CloseSchema


class NoBodySchema(InputSchema):
    """An action that takes no fields (an empty object, or no body at all)."""


class AssignSchema(InputSchema):
    assignee_id = ma.fields.Integer(required=True, allow_none=True, strict=True,
                                    validate=ROW_ID,
                                    metadata={"description": "null unassigns."})


class RecategorizeSchema(InputSchema):
    category_id = ma.fields.Integer(required=True, strict=True, validate=ROW_ID)


class DueDateSchema(InputSchema):
    due_at = Moment(required=True, allow_none=True, metadata={"description": "null clears the due date."})


class PhotoUploadSchema(ma.Schema):
    file = Upload(required=True, metadata={"description": "A JPEG, PNG, GIF, WebP or HEIC photo."})


# -- output -------------------------------------------------------------------------------


class PersonSchema(FastDump, ma.Schema):
    """Someone as everybody sees them: a name, never an address."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class ContactSchema(PersonSchema):
    """The reporter, for the reporter themselves and for staff of the organization."""

    email = ma.fields.String(required=True)
    phone = ma.fields.String(allow_none=True)


class PhotoSchema(FastDump, ma.Schema):
    id = ma.fields.Integer(required=True)
    filename = ma.fields.String(required=True)
    content_type = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)
    created_at = ma.fields.DateTime(required=True)
    url = ma.fields.Function(lambda a: f"/api/v1/requests/{a.request_id}/attachments/{a.id}",
                             metadata={"type": "string"})


class ViewerStateSchema(FastDump, ma.Schema):
    following = ma.fields.Boolean(required=True)
    supporting = ma.fields.Boolean(metadata={"description": 'Whether the caller said "me too".'})
    actions = ma.fields.List(ma.fields.String(), required=True,
                             metadata={"description": "What the caller may do to the request now."})


PUBLIC_FIELDS = frozenset({
    "id", "public_id", "organization", "category_id", "lat", "lng", "address", "description", "status",
    "assignee_id", "due_at", "acknowledged_at", "closed_at", "created_at", "updated_at", "email_address",
    "photos", "viewer", "support_count", "merged_into_id", "anonymous",
})
AUDIENCE_FIELDS: dict[Audience, frozenset[str]] = {
    Audience.PUBLIC: PUBLIC_FIELDS,
    Audience.REPORTER: PUBLIC_FIELDS | {"answers", "reporter"},
    Audience.STAFF: PUBLIC_FIELDS | {"answers", "reporter", "sla_due_at", "source"},
}
DETAIL_ONLY_FIELDS = frozenset({"photos", "viewer"})
# What a request shows, by audience and whether it is the single request's detail (or a list item).
_SHOWN_FIELDS = {(audience, detail): fields if detail else fields - DETAIL_ONLY_FIELDS
                 for audience, fields in AUDIENCE_FIELDS.items() for detail in (False, True)}
# Fields some audience may not see: a view for that audience answers None without reading them
# (no lazy load of a reporter the dump would then drop).
RESTRICTED_FIELDS = AUDIENCE_FIELDS[Audience.STAFF] - PUBLIC_FIELDS
_HIDDEN_FIELDS = {audience: RESTRICTED_FIELDS - fields for audience, fields in AUDIENCE_FIELDS.items()}


class RequestView:
    """A request as one audience sees it; `detail` adds photos and the caller's own state."""

    def __init__(self, request: ServiceRequest, audience: Audience, *, photos=None, viewer: dict | None = None):
        self.request = request
        self.audience = audience
        self.photos = photos
        self.viewer = viewer
        self.detail = viewer is not None

    @classmethod
    def of_values(cls, request, audience: Audience) -> RequestView:
        """The view of a request read as plain values (nothing to load): its values are copied into
        the view, the hidden ones as None, so each is read without `__getattr__` (a list dumps many)."""
        view = cls(request, audience)
        hidden = _HIDDEN_FIELDS[audience]
        view.__dict__.update({name: None if name in hidden else value for name, value in vars(request).items()})
        return view

    def __getattr__(self, name):
        if name in RESTRICTED_FIELDS and name not in AUDIENCE_FIELDS[self.audience]:
            return None
        return getattr(self.request, name)

    @cached_property
    def _point(self) -> tuple[float, float]:
        return point_coordinates(self.request.location)

    @property
    def lat(self) -> float:
        return self._point[1]

    @property
    def lng(self) -> float:
        return self._point[0]

    @property
    def email_address(self) -> str:
        return request_address(self.request.public_id, current_app.config["INBOUND_DOMAIN"])


class RequestSchema(FastDump, ma.Schema):
    """A request. Which fields appear depends on the caller: the public, the reporter, or staff
    of the organization (`answers` and `reporter` for the reporter and staff; `sla_due_at` and
    `source` for staff); `photos` and `viewer` on a single request only."""

    id = ma.fields.Integer(required=True)
    public_id = ma.fields.String(required=True)
    organization = ma.fields.Nested(OrganizationRefSchema, required=True)
    category_id = ma.fields.Integer(required=True)
    lat = ma.fields.Float(required=True)
    lng = ma.fields.Float(required=True)
    address = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf([s.value for s in RequestStatus]))
    assignee_id = ma.fields.Integer(required=True, allow_none=True)
    due_at = ma.fields.DateTime(required=True, allow_none=True)
    acknowledged_at = ma.fields.DateTime(required=True, allow_none=True)
    closed_at = ma.fields.DateTime(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)
    email_address = ma.fields.String(required=True, metadata={
        "description": "Mail to this address becomes a comment (from known senders)."})
    answers = ma.fields.Dict()
    anonymous = ma.fields.Boolean(metadata={"description": "The reporter's name is not shown publicly."})
    reporter = ma.fields.Nested(ContactSchema, allow_none=True)
    sla_due_at = ma.fields.DateTime(allow_none=True)
    source = ma.fields.String()
    support_count = ma.fields.Integer(metadata={"description": 'How many people said "me too" (public).'})
    merged_into_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "Set when staff merged this duplicate into that request (then closed)."})
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema))
    viewer = ma.fields.Nested(ViewerStateSchema)

    def shown_keys(self, original: RequestView) -> frozenset[str]:
        """What the view's audience may see (a list item: without the detail-only fields)."""
        return _SHOWN_FIELDS[original.audience, original.detail]

    @ma.post_dump(pass_original=True)
    def _only_what_the_audience_may_see(self, data, original: RequestView, **kwargs):
        allowed = self.shown_keys(original)
        return {name: value for name, value in data.items() if name in allowed}


class CommentSchema(FastDump, ma.Schema):
    id = ma.fields.Integer(required=True)
    body = ma.fields.String(required=True)
    visibility = ma.fields.String(required=True, validate=ma.validate.OneOf([v.value for v in Visibility]))
    author = ma.fields.Nested(PersonSchema, required=True, allow_none=True)
    mentioned_user_ids = ma.fields.List(ma.fields.Integer(), required=True)
    created_at = ma.fields.DateTime(required=True)


class TimelineEntrySchema(FastDump, ma.Schema):
    id = ma.fields.String(required=True, metadata={"example": "event-12"})
    kind = ma.fields.String(required=True, metadata={"example": "request.acknowledged"})
    created_at = ma.fields.DateTime(required=True)
    actor = ma.fields.Nested(PersonSchema, required=True, allow_none=True)
    payload = ma.fields.Dict(required=True)
    comment = ma.fields.Nested(CommentSchema, allow_none=True)


class FollowStateSchema(ma.Schema):
    following = ma.fields.Boolean(required=True)
