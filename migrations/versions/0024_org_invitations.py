"""organization invitations: joining an organization needs its invitee's consent

Revision ID: 0024_org_invitations
Revises: 0023_runs_merges
Create Date: 2026-12-01 14:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0024_org_invitations'
down_revision = '0023_runs_merges'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'organization_invitations',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('organization_id', sa.Integer(), sa.ForeignKey('organizations.id', ondelete='CASCADE'), nullable=False),
        sa.Column('email', postgresql.CITEXT(), nullable=False),
        sa.Column('role_id', sa.Integer(), sa.ForeignKey('roles.id', ondelete='CASCADE'), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('invited_by_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accepted_by_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
        sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('uq_organization_invitations_open', 'organization_invitations', ['organization_id', 'email'],
                    unique=True,
                    postgresql_where=sa.text('accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL'))


def downgrade():
    op.drop_index('uq_organization_invitations_open', table_name='organization_invitations')
    op.drop_table('organization_invitations')
