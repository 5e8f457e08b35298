"""What Alembic compares: our tables only, never PostGIS's own (spatial_ref_sys and friends)."""

from geoalchemy2 import alembic_helpers

from app.extensions import db


def include_object(obj, name, obj_type, reflected, compare_to):
    """Skip reflected tables the models do not declare, and GeoAlchemy2's internal ones."""
    if obj_type == "table" and reflected and compare_to is None and name not in db.metadata.tables:
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)
