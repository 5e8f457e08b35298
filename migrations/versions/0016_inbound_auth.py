"""inbound sender authentication: the listener's own DKIM/SPF verdict beside each message

Revision ID: 0016_inbound_auth
Revises: 0015_search
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_inbound_auth'
down_revision = '0015_search'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('inbound_emails', sa.Column('authentication', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('inbound_emails', 'authentication')
