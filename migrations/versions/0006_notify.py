"""notification engine: in-app notifications, email deliveries, preferences, overrides, templates

Revision ID: 0006_notify
Revises: 0009_inbound
Create Date: 2026-11-24 19:30:16.978217

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0006_notify'
down_revision = '0009_inbound'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_templates',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('event_kind', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('text_body', sa.Text(), nullable=True),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_email_templates_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_email_templates_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('organization_id', 'event_kind', name=op.f('pk_email_templates'))
    )
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email_frequency', sa.String(length=16), server_default='immediately', nullable=False),
    sa.Column('muted', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("email_frequency IN ('immediately', 'daily', 'never')", name=op.f('ck_notification_preferences_email_frequency_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preferences'))
    )
    op.create_table('organization_notification_settings',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('disabled_kinds', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('inbound_notice_to', postgresql.CITEXT(), nullable=True),
    sa.Column('inbound_notice_cc', postgresql.CITEXT(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_notification_settings_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_organization_notification_settings'))
    )
    op.create_table('category_notification_rules',
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('event_kind', sa.String(length=64), nullable=False),
    sa.Column('audience', sa.String(length=40), nullable=False),
    sa.Column('channels', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['request_categories.id'], name=op.f('fk_category_notification_rules_category_id_request_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('category_id', 'event_kind', 'audience', name=op.f('pk_category_notification_rules'))
    )
    op.create_table('email_deliveries',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.BigInteger(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', postgresql.CITEXT(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('audience', sa.String(length=40), nullable=False),
    sa.Column('pref_group', sa.String(length=40), nullable=False),
    sa.Column('internal', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('subscription', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('awaits_seen', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('smtp_code', sa.Integer(), nullable=True),
    sa.Column('smtp_reply', sa.Text(), nullable=True),
    sa.Column('message_id', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('send_after', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.UUID(as_uuid=False), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handed_off_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('digest_date', sa.Date(), nullable=True),
    sa.Column('digest_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'held', 'sending', 'sent', 'failed', 'suppressed', 'skipped', 'digested')", name=op.f('ck_email_deliveries_status_valid')),
    sa.ForeignKeyConstraint(['digest_id'], ['email_deliveries.id'], name=op.f('fk_email_deliveries_digest_id_email_deliveries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_email_deliveries_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_email_deliveries_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_email_deliveries_request_id_service_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_deliveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_deliveries')),
    sa.UniqueConstraint('event_id', 'email', name=op.f('uq_email_deliveries_event_id_email')),
    sa.UniqueConstraint('user_id', 'digest_date', name=op.f('uq_email_deliveries_user_id_digest_date'))
    )
    op.create_index('ix_email_deliveries_digest_id', 'email_deliveries', ['digest_id'], unique=False)
    op.create_index('ix_email_deliveries_due', 'email_deliveries', ['send_after', 'id'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_email_deliveries_held', 'email_deliveries', ['user_id'], unique=False, postgresql_where=sa.text("status = 'held'"))
    op.create_index('ix_email_deliveries_organization_id_id', 'email_deliveries', ['organization_id', 'id'], unique=False)
    op.create_index('ix_email_deliveries_sending', 'email_deliveries', ['claimed_at'], unique=False, postgresql_where=sa.text("status = 'sending'"))
    op.create_index('ix_email_deliveries_user_id_id', 'email_deliveries', ['user_id', 'id'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('audience', sa.String(length=40), nullable=False),
    sa.Column('internal', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_notifications_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_notifications_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_notifications_request_id_service_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_notifications_event_id_user_id'))
    )
    op.create_index('ix_notifications_unseen', 'notifications', ['user_id'], unique=False, postgresql_where=sa.text('seen_at IS NULL'))
    op.create_index('ix_notifications_user_id_id', 'notifications', ['user_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_notifications_user_id_id', table_name='notifications')
    op.drop_index('ix_notifications_unseen', table_name='notifications', postgresql_where=sa.text('seen_at IS NULL'))
    op.drop_table('notifications')
    op.drop_index('ix_email_deliveries_user_id_id', table_name='email_deliveries')
    op.drop_index('ix_email_deliveries_sending', table_name='email_deliveries', postgresql_where=sa.text("status = 'sending'"))
    op.drop_index('ix_email_deliveries_organization_id_id', table_name='email_deliveries')
    op.drop_index('ix_email_deliveries_held', table_name='email_deliveries', postgresql_where=sa.text("status = 'held'"))
    op.drop_index('ix_email_deliveries_due', table_name='email_deliveries', postgresql_where=sa.text("status = 'pending'"))
    op.drop_index('ix_email_deliveries_digest_id', table_name='email_deliveries')
    op.drop_table('email_deliveries')
    op.drop_table('category_notification_rules')
    op.drop_table('organization_notification_settings')
    op.drop_table('notification_preferences')
    op.drop_table('email_templates')
