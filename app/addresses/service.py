"""What the API and the pages ask of addresses: suggestions, the nearest one, and a place for text."""

from __future__ import annotations

from flask_babel import gettext as _

from app.addresses import lookups
from app.errors import NotFound

REVERSE_DEFAULT_RADIUS_M = 150


def as_dict(found: lookups.Found) -> dict:
    """An address as the API shows it: its parts, its label and its point."""
    address = found.address
    return {**address, "lat": round(address["lat"], 7), "lng": round(address["lng"], 7),
            "distance_m": None if found.distance_m is None else round(found.distance_m, 1)}


def suggestions(query: str, page: int, per_page: int) -> dict:
    """Autocomplete: addresses for what has been typed, inside a service boundary, best first."""
    found, total = lookups.suggest(query, limit=per_page, offset=(page - 1) * per_page)
    return {"items": [as_dict(f) for f in found], "total": total, "page": page, "per_page": per_page}


def reverse(lat: float, lng: float, radius_m: float = REVERSE_DEFAULT_RADIUS_M) -> dict:
    """The address nearest a point, or 404 when none lies within `radius_m` metres."""
    found = lookups.nearest(lng, lat, radius_m)
    if found is None:
        raise NotFound(_("No known address within %(radius)s m of this point.", radius=format(radius_m, "g")),
                       {"lat": lat, "lng": lng, "radius_m": radius_m})
    return as_dict(found)


def label_near(lat: float, lng: float, radius_m: float) -> str | None:
    """The label of the address nearest a point within `radius_m` metres, or None (a page describing a place)."""
    found = lookups.nearest(lng, lat, radius_m)
    return found.address["label"] if found else None


def place_for(address_string: str, organization_id: int | None = None) -> dict | None:
    """The address a complete written address means (in one organization's area, if given), or None."""
    found = lookups.resolve(address_string, organization_id)
    return as_dict(found) if found else None
