"""Service boundaries: which organizations serve a point (organizations are this area's rows).

One statement: `ST_Covers(boundary, point)` lets PostgreSQL use the GiST index on
`organizations.boundary` (`ix_organizations_boundary`); ST_Covers rather than ST_Contains so a
point exactly on the boundary line is served, not orphaned between two neighbours.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import Organization
from app.extensions import db
from geo.spatial import point


def serving_statement(lng: float, lat: float):
    """SELECT the organizations whose service boundary covers (lng, lat), by name."""
    return (
        select(Organization)
        .where(func.ST_Covers(Organization.boundary, point(lng, lat)))
        .order_by(Organization.name, Organization.id)
    )


def organizations_serving(lng: float, lat: float) -> list[Organization]:
    """Organizations whose service boundary covers (lng, lat), by name."""
    return list(db.session.scalars(serving_statement(lng, lat)))
