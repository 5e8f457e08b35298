"""automation runs: one transaction each, attempts counted; no run is left running

Revision ID: 0021_run_attempts
Revises: 0020_sso
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0021_run_attempts'
down_revision = '0020_sso'
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


def downgrade():
    op.drop_constraint(op.f('ck_automation_runs_status_valid'), 'automation_runs', type_='check')
    op.create_check_constraint(op.f('ck_automation_runs_status_valid'), 'automation_runs',
                               "status IN ('pending', 'running', 'done', 'skipped', 'failed')")
    op.drop_column('automation_runs', 'attempts')
