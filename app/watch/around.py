"""A watch area chosen by place instead of drawn: every place within a radius of an address or a point.

One rule for the page and the API (`chosen_geometry`): an area is either a geometry as drawn,
or an address (or lat and lng) with `radius_m`, never both. An address is resolved through the
addresses domain (a written address inside some organization's service boundary); the circle is
buffered in metres by PostGIS (`geo.spatial.circle_around`) and then stored exactly as a drawn
outline would be, through the same checks.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.addresses import service as addresses
from app.errors import ValidationFailed
from app.extensions import db
from geo.spatial import circle_around

# What the page offers; the API takes any radius between the two bounds.
RADIUS_CHOICES_M = (100, 250, 500, 1000)
MIN_RADIUS_M = 50
MAX_RADIUS_M = 5000
# The GeoJSON of the buffered circle: 9 decimals of a degree is a tenth of a millimetre.
GEOJSON_DECIMALS = 9
PLACE_FIELDS = ("address", "lat", "lng", "radius_m")


@dataclass(frozen=True)
class Place:
    """The centre of an area chosen by place; `label` is the address when one was given."""

    lat: float
    lng: float
    label: str | None = None


def radius_label(radius_m: int) -> str:
    """How the page names a radius: "250 m", "1 km"."""
    return f"{radius_m // 1000:g} km" if radius_m % 1000 == 0 else f"{radius_m} m"


def chosen_geometry(*, geometry: dict | None = None, address: str | None = None, lat: float | None = None,
                    lng: float | None = None, radius_m: float | None = None) -> dict:
    """The GeoJSON an area is made of: the drawn `geometry`, or the circle around a place."""
    by_place = any(value is not None for value in (address, lat, lng, radius_m))
    if geometry is not None and by_place:
        raise _refusal("geometry", _("Send a geometry, or an address (or lat and lng) with radius_m, not both."))
    if geometry is not None:
        return geometry
    if not by_place:
        raise _refusal("geometry", _("Send a geometry, or an address (or lat and lng) with radius_m."))
    radius = _checked_radius(radius_m)  # before the address: no lookup for a request refused anyway
    return circle_geometry(place_of(address=address, lat=lat, lng=lng), radius)


def place_of(*, address: str | None = None, lat: float | None = None, lng: float | None = None) -> Place:
    """The centre named by a written address, or by lat and lng; 422 naming the field otherwise."""
    if address is not None and (lat is not None or lng is not None):
        raise _refusal("address", _("Send an address or lat and lng, not both."))
    if address is not None:
        return _address_place(address)
    if lat is None and lng is None:
        raise _refusal("address", _("Send an address (or lat and lng) to go with radius_m."))
    if lat is None or lng is None:
        missing = "lat" if lat is None else "lng"
        raise _refusal(missing, _("Send lat and lng together, or an address."))
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise _refusal("lat", _("A latitude is between -90 and 90."))
    if not (math.isfinite(lng) and -180 <= lng <= 180):
        raise _refusal("lng", _("A longitude is between -180 and 180."))
    return Place(lat=lat, lng=lng)


def circle_geometry(place: Place, radius_m: float) -> dict:
    """A GeoJSON Polygon of every place within `radius_m` metres of `place`."""
    text = db.session.scalar(select(func.ST_AsGeoJSON(circle_around(place.lng, place.lat, radius_m),
                                                      GEOJSON_DECIMALS)))
    return json.loads(text)


def _address_place(address: str) -> Place:
    typed = address.strip()
    if not typed:
        raise _refusal("address", _("Type an address, like “123 Main Street”."))
    found = addresses.place_for(typed)
    if found is None:
        raise _refusal("address", _("No address found for “%(address)s”. Check the spelling and the house number, "
                                    "or choose one of the suggestions.", address=typed), code="unknown_address")
    return Place(lat=found["lat"], lng=found["lng"], label=found["label"])


def _checked_radius(radius_m: float | None) -> float:
    if radius_m is None:
        raise _refusal("radius_m", _("Say how far around the place the area reaches (radius_m, in metres)."))
    if not (math.isfinite(radius_m) and MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M):
        raise _refusal("radius_m", _("A radius is between %(least)s and %(most)s metres.",
                                     least=MIN_RADIUS_M, most=MAX_RADIUS_M))
    return float(radius_m)


def _refusal(field: str, text: str, code: str | None = None) -> ValidationFailed:
    return ValidationFailed(text, {"json": {field: [text]}}, code=code)
