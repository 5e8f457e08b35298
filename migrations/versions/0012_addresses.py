"""address points (trigram-indexed search text, GiST-indexed point) and each user's locale

Revision ID: 0012_addresses
Revises: 0011_support
"""
from alembic import op
import sqlalchemy as sa
import geoalchemy2


revision = '0012_addresses'
down_revision = '0011_support'
branch_labels = None
depends_on = None


def upgrade():
    # pg_trgm: the autocomplete's "every typed word appears" test is answered by a GIN index.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('addresses',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=60), server_default='', nullable=False),
    sa.Column('city', sa.String(length=120), server_default='', nullable=False),
    sa.Column('postcode', sa.String(length=20), server_default='', nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('search', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('location', geoalchemy2.types.Geometry(geometry_type='POINT', srid=4326, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addresses')),
    sa.UniqueConstraint('key', name=op.f('uq_addresses_key'))
    )
    op.create_index('ix_addresses_location', 'addresses', ['location'], unique=False, postgresql_using='gist')
    op.create_index('ix_addresses_search_trgm', 'addresses', ['search'], unique=False, postgresql_using='gin', postgresql_ops={'search': 'gin_trgm_ops'})
    op.add_column('users', sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    op.drop_column('users', 'locale')
    op.drop_index('ix_addresses_search_trgm', table_name='addresses', postgresql_using='gin', postgresql_ops={'search': 'gin_trgm_ops'})
    op.drop_index('ix_addresses_location', table_name='addresses', postgresql_using='gist')
    op.drop_table('addresses')
    # pg_trgm stays: another database object may use it, and it costs nothing idle.
