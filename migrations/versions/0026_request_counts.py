"""request counts: exact totals per (organization, status) kept by triggers, for list totals without counting rows

Revision ID: 0026_request_counts
Revises: 0025_email_locales
Create Date: 2026-12-01 16:20:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0026_request_counts'
down_revision = '0025_email_locales'
branch_labels = None
depends_on = None

# Each change of service_requests adds signed delta rows (never updates a shared row), so a storm of
# submissions takes no lock on a counter and two transactions never deadlock on one; the sum of the
# rows of a key is its exact count in any snapshot. `fold_request_counts` (the scheduler) folds
# each key's rows into one. Inserts and deletes are counted per statement (a COPY adds one row per
# key), moves per row.
TRIGGERS = """
CREATE FUNCTION request_counts_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO request_counts (organization_id, status, n)
  SELECT organization_id, status, count(*) FROM inserted_requests GROUP BY organization_id, status;
  RETURN NULL;
END $$;

CREATE FUNCTION request_counts_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO request_counts (organization_id, status, n)
  SELECT organization_id, status, -count(*) FROM deleted_requests GROUP BY organization_id, status;
  RETURN NULL;
END $$;

CREATE FUNCTION request_counts_on_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO request_counts (organization_id, status, n)
  VALUES (OLD.organization_id, OLD.status, -1), (NEW.organization_id, NEW.status, 1);
  RETURN NULL;
END $$;

CREATE FUNCTION request_counts_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM request_counts;
  RETURN NULL;
END $$;

CREATE TRIGGER request_counts_after_insert AFTER INSERT ON service_requests
  REFERENCING NEW TABLE AS inserted_requests
  FOR EACH STATEMENT EXECUTE FUNCTION request_counts_on_insert();
CREATE TRIGGER request_counts_after_delete AFTER DELETE ON service_requests
  REFERENCING OLD TABLE AS deleted_requests
  FOR EACH STATEMENT EXECUTE FUNCTION request_counts_on_delete();
CREATE TRIGGER request_counts_after_move AFTER UPDATE OF status, organization_id ON service_requests
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.organization_id IS DISTINCT FROM NEW.organization_id)
  EXECUTE FUNCTION request_counts_on_move();
CREATE TRIGGER request_counts_after_truncate AFTER TRUNCATE ON service_requests
  FOR EACH STATEMENT EXECUTE FUNCTION request_counts_on_truncate();
"""


def upgrade():
    op.create_table(
        'request_counts',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_request_counts_organization_id_organizations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_counts')),
    )
    op.create_index('ix_request_counts_org_status', 'request_counts', ['organization_id', 'status'],
                    postgresql_include=['n'])
    # No request changes between the count below and the triggers taking over (CREATE TRIGGER's lock
    # would allow reads only; taking it first makes the order explicit).
    op.execute("LOCK TABLE service_requests IN SHARE ROW EXCLUSIVE MODE")
    op.execute(TRIGGERS)
    op.execute("INSERT INTO request_counts (organization_id, status, n) "
               "SELECT organization_id, status, count(*) FROM service_requests GROUP BY organization_id, status")


def downgrade():
    for trigger in ("after_truncate", "after_move", "after_delete", "after_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS request_counts_{trigger} ON service_requests")
    for function in ("on_truncate", "on_move", "on_delete", "on_insert"):
        op.execute(f"DROP FUNCTION IF EXISTS request_counts_{function}()")
    op.drop_index('ix_request_counts_org_status', table_name='request_counts')
    op.drop_table('request_counts')
