"""email languages: an organization's default language; template overrides per language

Revision ID: 0025_email_locales
Revises: 0024_org_invitations
Create Date: 2026-12-01 13:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0025_email_locales'
down_revision = '0024_org_invitations'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('organizations', sa.Column('default_locale', sa.String(length=16), server_default='en',
                                             nullable=False))
    # Overrides saved so far were written in English, every organization's language until now.
    op.add_column('email_templates', sa.Column('locale', sa.String(length=16), server_default='en',
                                               nullable=False))
    op.drop_constraint('pk_email_templates', 'email_templates', type_='primary')
    op.create_primary_key('pk_email_templates', 'email_templates', ['organization_id', 'event_kind', 'locale'])


def downgrade():
    op.execute("DELETE FROM email_templates WHERE locale <> 'en'")
    op.drop_constraint('pk_email_templates', 'email_templates', type_='primary')
    op.create_primary_key('pk_email_templates', 'email_templates', ['organization_id', 'event_kind'])
    op.drop_column('email_templates', 'locale')
    op.drop_column('organizations', 'default_locale')
