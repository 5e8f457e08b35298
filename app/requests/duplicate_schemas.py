"""Schemas of support ("me too"), nearby possible duplicates and merging."""

from __future__ import annotations

import marshmallow as ma

from app.inputs import InputSchema
from app.requests.schemas import ROW_ID, Latitude, Longitude, RequestSchema


class SupportStateSchema(ma.Schema):
    supporting = ma.fields.Boolean(required=True)
    support_count = ma.fields.Integer(required=True, metadata={"description": 'How many said "me too".'})


class NearbyArgsSchema(InputSchema):
    lat = Latitude(required=True)
    lng = Longitude(required=True)
    category_id = ma.fields.Integer(required=True, validate=ROW_ID)


class NearbyItemSchema(ma.Schema):
    distance_m = ma.fields.Float(required=True, metadata={"description": "metres from the point asked about"})
    request = ma.fields.Nested(RequestSchema, required=True)


class NearbySchema(ma.Schema):
    radius_m = ma.fields.Integer(required=True, metadata={"description": "the category's duplicate distance"})
    items = ma.fields.List(ma.fields.Nested(NearbyItemSchema), required=True)


class MergeSchema(InputSchema):
    into_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=2**63 - 1),
                                metadata={"description": "the request that goes on (numeric id)"})
