"""Watch areas on the wire: GeoJSON geometry in and out, and the list filters."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from geoalchemy2.shape import to_shape

from app.pagination import PaginationArgs
from app.requests.schemas import Latitude, Longitude
from app.watch import around
from geo.geojson import to_geojson

MAX_CATEGORY_FILTER = 100
MAX_INT4 = 2**31 - 1  # ids are PostgreSQL integers; a larger one is a client error, not a 500
MAX_BROWSE_RADIUS_M = 50_000
EXAMPLE_GEOMETRY = {
    "type": "Polygon",
    "coordinates": [[[-89.66, 39.77], [-89.64, 39.77], [-89.64, 39.79], [-89.66, 39.79], [-89.66, 39.77]]],
}
_GEOMETRY_DOC = ("GeoJSON Polygon, MultiPolygon, a Feature holding one, or a FeatureCollection of "
                 "one such Feature; WGS 84 longitude/latitude.")


def _name_text(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError(_("Must not be blank."))
    if "\x00" in value:
        raise ma.ValidationError(_("Must not contain NUL characters."))


def _name(**kwargs) -> ma.fields.String:
    return ma.fields.String(validate=[ma.validate.Length(min=1, max=200), _name_text], **kwargs)


def _geometry(**kwargs) -> ma.fields.Dict:
    return ma.fields.Dict(metadata={"description": _GEOMETRY_DOC, "example": EXAMPLE_GEOMETRY}, **kwargs)


def _category_ids(**kwargs) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=MAX_INT4)),
        validate=ma.validate.Length(max=MAX_CATEGORY_FILTER),
        metadata={"description": "Only requests in these categories alert; empty means every category."},
        **kwargs,
    )


class _PlaceFields(ma.Schema):
    """An area chosen by place instead of a geometry: an address (or lat and lng) and a radius."""

    address = ma.fields.String(validate=ma.validate.Length(min=1, max=500), metadata={
        "description": "Instead of a geometry: a written address inside a service area, with radius_m.",
        "example": "123 Main Street, Springfield"})
    lat = Latitude(metadata={"description": "Instead of a geometry or an address: the centre, with lng."})
    lng = Longitude()
    radius_m = ma.fields.Float(metadata={
        "description": f"With address, or lat and lng: how far around, in metres "
                       f"({around.MIN_RADIUS_M} to {around.MAX_RADIUS_M}).", "example": 250})


_REPAIR_DOC = {"description": "Make an invalid geometry valid (GEOS make_valid) instead of rejecting it."}


class WatchAreaSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    geometry = ma.fields.Method("dump_geometry", metadata={"description": "GeoJSON MultiPolygon"})
    public = ma.fields.Boolean(required=True)
    category_ids = ma.fields.List(ma.fields.Integer(), required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)

    def dump_geometry(self, area) -> dict:
        return to_geojson(to_shape(area.geom))


class WatchAreaCreateSchema(_PlaceFields):
    """A drawn `geometry`, or `address` (or `lat` and `lng`) with `radius_m`: app.watch.around says which."""

    name = _name(required=True)
    geometry = _geometry()
    public = ma.fields.Boolean(load_default=False)
    category_ids = _category_ids(load_default=list)
    repair = ma.fields.Boolean(load_default=False, metadata=_REPAIR_DOC)


class WatchAreaUpdateSchema(_PlaceFields):
    name = _name()
    geometry = _geometry()
    public = ma.fields.Boolean()
    category_ids = _category_ids()
    repair = ma.fields.Boolean(metadata=_REPAIR_DOC)

    @ma.validates_schema
    def _something_to_change(self, data, **kwargs):
        if not set(data) - {"repair"}:
            raise ma.ValidationError(_("Send at least one of name, geometry (or a place with radius_m), public, "
                                       "category_ids."))
        if "repair" in data and "geometry" not in data:
            raise ma.ValidationError(_("repair applies to a geometry sent with it."), "repair")


class WatchAreaListArgs(PaginationArgs):
    public = ma.fields.Boolean(load_default=False, metadata={"description": "Browse everyone's public areas."})
    following = ma.fields.Boolean(load_default=False, metadata={"description": "The areas you follow."})
    lat = ma.fields.Float(validate=ma.validate.Range(min=-90, max=90))
    lng = ma.fields.Float(validate=ma.validate.Range(min=-180, max=180))
    radius_m = ma.fields.Float(load_default=1000, validate=ma.validate.Range(min=0, max=MAX_BROWSE_RADIUS_M),
                               metadata={"description": "With public=true, lat and lng: how near, in metres."})

    @ma.validates_schema
    def _coherent(self, data, **kwargs):
        if data["public"] and data["following"]:
            raise ma.ValidationError(_("Ask for public or following, not both."), "following")
        if ("lat" in data) != ("lng" in data):
            raise ma.ValidationError(_("Send lat and lng together."), "lat" if "lng" in data else "lng")
        if "lat" in data and not data["public"]:
            raise ma.ValidationError(_("lat and lng narrow public=true browsing."), "public")
