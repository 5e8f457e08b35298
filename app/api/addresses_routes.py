"""/api/v1/addresses: autocomplete for typed addresses, and the address nearest a point."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from app.addresses import service
from app.api.responses import errors
from app.inputs import InputSchema
from app.pagination import PaginationArgs, page_schema
from app.requests.schemas import Latitude, Longitude

URL_PREFIX = "/addresses"
blp = Blueprint("addresses", __name__, description="Address points: autocomplete and reverse lookup")

MAX_SUGGESTIONS = 20


class SuggestArgs(InputSchema, PaginationArgs):
    q = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200),
                         metadata={"description": "What has been typed so far, e.g. `12 main`"})
    per_page = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1, max=MAX_SUGGESTIONS))


class ReverseArgs(InputSchema):
    lat = Latitude(required=True)
    lng = Longitude(required=True)
    radius_m = ma.fields.Float(load_default=service.REVERSE_DEFAULT_RADIUS_M,
                               validate=ma.validate.Range(min=1, max=5000),
                               metadata={"description": "How far to look, in metres"})


class AddressSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    label = ma.fields.String(required=True, metadata={"description": "The address as written"})
    number = ma.fields.String(required=True)
    street = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    city = ma.fields.String(required=True)
    postcode = ma.fields.String(required=True)
    lat = ma.fields.Float(required=True)
    lng = ma.fields.Float(required=True)
    distance_m = ma.fields.Float(allow_none=True, metadata={"description": "Reverse lookups: metres away"})


@blp.get("")
@blp.arguments(SuggestArgs, location="query")
@blp.response(200, page_schema(AddressSchema, "AddressPageSchema"))
def suggest(args):
    """Addresses inside the organizations' boundaries for typed text, best match first."""
    return service.suggestions(args["q"], args["page"], args["per_page"])


@blp.get("/reverse")
@blp.arguments(ReverseArgs, location="query")
@blp.response(200, AddressSchema)
@errors(blp, 404)
def reverse(args):
    """The address nearest a point, within `radius_m` (default 150 m) and a service boundary."""
    return service.reverse(args["lat"], args["lng"], args["radius_m"])
