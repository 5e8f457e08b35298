"""open311 submissions keep the contact as given

Revision ID: 0022_open311_contact
Revises: 0021_datetime_window
Create Date: 2026-12-01 13:50:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0022_open311_contact'
down_revision = '0021_datetime_window'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('open311_submissions', sa.Column('contact_email', sa.String(length=254), nullable=True))
    op.add_column('open311_submissions', sa.Column('contact_name', sa.String(length=200), nullable=True))
    op.add_column('open311_submissions', sa.Column('contact_phone', sa.String(length=40), nullable=True))


def downgrade():
    op.drop_column('open311_submissions', 'contact_phone')
    op.drop_column('open311_submissions', 'contact_name')
    op.drop_column('open311_submissions', 'contact_email')
