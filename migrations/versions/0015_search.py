"""indexes of the hot reads: trigram search of requests (q), the staff queue's order, updated_after paging

Revision ID: 0015_search
Revises: 0014_privacy
"""
from alembic import op


revision = '0015_search'
down_revision = '0014_privacy'
branch_labels = None
depends_on = None


def upgrade():
    # `q` is ILIKE '%text%' on description and address: a trigram GIN index per column
    # answers it (a BitmapOr of the two), instead of reading every request.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index('ix_service_requests_description_trgm', 'service_requests', ['description'],
                    postgresql_using='gin', postgresql_ops={'description': 'gin_trgm_ops'})
    op.create_index('ix_service_requests_address_trgm', 'service_requests', ['address'],
                    postgresql_using='gin', postgresql_ops={'address': 'gin_trgm_ops'})
    # Lists are ordered by (updated_at DESC, id DESC): the staff queue within an organization,
    # and the public list and updated_after paging across all; each index reads a page in order.
    op.create_index('ix_service_requests_org_updated', 'service_requests', ['organization_id', 'updated_at', 'id'])
    op.drop_index('ix_service_requests_updated_at', table_name='service_requests')
    op.create_index('ix_service_requests_updated_at', 'service_requests', ['updated_at', 'id'])


def downgrade():
    op.drop_index('ix_service_requests_updated_at', table_name='service_requests')
    op.create_index('ix_service_requests_updated_at', 'service_requests', ['updated_at'])
    op.drop_index('ix_service_requests_org_updated', table_name='service_requests')
    op.drop_index('ix_service_requests_address_trgm', table_name='service_requests')
    op.drop_index('ix_service_requests_description_trgm', table_name='service_requests')
