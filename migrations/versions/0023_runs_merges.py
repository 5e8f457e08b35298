"""automation runs: one transaction each, attempts counted, no run left running; requests merged into one, indexed

Revision ID: 0023_runs_merges
Revises: 0022_open311_contact
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0023_runs_merges'
down_revision = '0022_open311_contact'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('automation_runs', sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
    # Runs claimed by the old engine whose worker died stay 'running' for ever: say so and end them.
    op.execute("UPDATE automation_runs SET status = 'failed', ran_at = coalesce(ran_at, now()), "
               "error = 'interrupted: its worker stopped mid-run (before runs were one transaction); '"
               "'some of its actions may have been taken' WHERE status = 'running'")
    op.drop_constraint(op.f('ck_automation_runs_status_valid'), 'automation_runs', type_='check')
    op.create_check_constraint(op.f('ck_automation_runs_status_valid'), 'automation_runs',
                               "status IN ('pending', 'done', 'skipped', 'failed')")
    # The watchers of a merged duplicate's place hear of the survivor: the fan-out looks them up by it.
    op.create_index('ix_service_requests_merged_into_id', 'service_requests', ['merged_into_id'], unique=False,
                    postgresql_where=sa.text('merged_into_id IS NOT NULL'))


def downgrade():
    op.drop_index('ix_service_requests_merged_into_id', table_name='service_requests',
                  postgresql_where=sa.text('merged_into_id IS NOT NULL'))
    op.drop_constraint(op.f('ck_automation_runs_status_valid'), 'automation_runs', type_='check')
    op.create_check_constraint(op.f('ck_automation_runs_status_valid'), 'automation_runs',
                               "status IN ('pending', 'running', 'done', 'skipped', 'failed')")
    op.drop_column('automation_runs', 'attempts')
