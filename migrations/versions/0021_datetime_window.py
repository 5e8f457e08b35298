"""date-times outside the window: due dates stored before the window was enforced are cleared

Revision ID: 0021_datetime_window
Revises: 0020_sso
Create Date: 2026-12-01 13:40:00

Every date-time input now lies in [1970-01-01, 2200-01-01) (app/inputs.py). A due date outside
it (the probe stored 0001-01-01T00:00:00+14:00 on a request and 9999-12-31T23:59:59-14:00 on a
work order) is meaningless, so it is set to NULL (no due date), not clamped to an edge that
would look like a real deadline. The downgrade cannot bring the values back and does nothing.
"""
from alembic import op

revision = '0021_datetime_window'
down_revision = '0020_sso'
branch_labels = None
depends_on = None

_OUTSIDE = "due_at < '1970-01-01T00:00:00Z' OR due_at >= '2200-01-01T00:00:00Z'"


def upgrade():
    op.execute(f"UPDATE service_requests SET due_at = NULL WHERE {_OUTSIDE}")
    op.execute(f"UPDATE work_orders SET due_at = NULL WHERE {_OUTSIDE}")


def downgrade():
    pass
