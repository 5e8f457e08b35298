"""The migrations and the models agree, and the migrations run down and up again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app.alembic_filters import include_object
from app.extensions import db
from tests.support.database import scratch_app as app_on_scratch_database


def test_autogenerate_finds_no_difference_between_models_and_migrations(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


@pytest.fixture
def scratch_app():
    with app_on_scratch_database("_migrations") as app:
        yield app


def test_downgrade_to_base_then_upgrade_to_head(scratch_app):
    with scratch_app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names())
        assert tables & set(db.metadata.tables) == set()
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT PostGIS_Lib_Version()")).scalar()
        db.engine.dispose()
