"""GeoJSON the pages' maps draw, embedded in the page so a map needs no extra request."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.accounts.models import Organization
from app.extensions import db

# About 50 m at this latitude: plenty for drawing a city boundary, a fraction of the bytes.
BOUNDARY_SIMPLIFY_DEGREES = 0.0005


def boundaries(slug: str | None = None) -> dict:
    """Organizations' service boundaries as a FeatureCollection (one organization if `slug`)."""
    query = select(
        Organization.slug, Organization.name,
        func.ST_AsGeoJSON(func.ST_SimplifyPreserveTopology(Organization.boundary, BOUNDARY_SIMPLIFY_DEGREES), 6),
    ).where(Organization.boundary.is_not(None)).order_by(Organization.name)
    if slug is not None:
        query = query.where(Organization.slug == slug)
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": json.loads(geometry), "properties": {"slug": s, "name": name}}
            for s, name, geometry in db.session.execute(query)
        ],
    }
