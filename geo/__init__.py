"""Geometry: GeoJSON parsing and validation, and the spatial queries (point-in-polygon)."""
