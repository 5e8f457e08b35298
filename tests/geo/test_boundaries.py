"""Which organizations serve a point: ST_Covers over the GiST-indexed boundary."""

from __future__ import annotations

import pytest
from geoalchemy2.shape import from_shape
from sqlalchemy import text

from app.accounts.boundaries import organizations_serving, serving_statement
from tests.factories import CENTRE, OrganizationFactory, square

pytestmark = pytest.mark.usefixtures("fresh_tables")  # their plans depend on the tables' size

LNG, LAT = CENTRE


def test_inside_on_the_edge_and_outside():
    west = OrganizationFactory(slug="west", name="West", boundary=from_shape(square(LNG, LAT, 0.05), srid=4326))
    east = OrganizationFactory(slug="east", name="East",
                               boundary=from_shape(square(LNG + 0.1, LAT, 0.05), srid=4326))
    OrganizationFactory(slug="nowhere", name="Nowhere", boundary=None)

    assert [o.slug for o in organizations_serving(LNG, LAT)] == ["west"]
    # The shared edge is served by both neighbours (ST_Covers), not by neither.
    assert [o.slug for o in organizations_serving(LNG + 0.05, LAT)] == ["east", "west"]
    assert organizations_serving(LNG - 1, LAT) == []
    assert {west.id, east.id} >= {o.id for o in organizations_serving(LNG + 0.05, LAT)}


def test_the_lookup_can_use_the_boundary_index(db):
    OrganizationFactory()
    sql = serving_statement(LNG, LAT).compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        # A handful of rows makes a sequential scan cheapest; forbid it to see the index is usable.
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {sql}")))
    assert "ix_organizations_boundary" in plan
