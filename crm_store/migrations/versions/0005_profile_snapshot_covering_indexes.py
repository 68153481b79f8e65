"""profile snapshot for big teams; covering period indexes for digest and report

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'profile_snapshot',
        sa.Column('team_id', sa.Integer(), sa.ForeignKey('team.id'), primary_key=True),
        sa.Column('as_of', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('settings_key', sa.String(length=2000), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
    )
    op.create_table(
        'customer_profile',
        sa.Column('team_id', sa.Integer(), sa.ForeignKey('team.id'), primary_key=True),
        sa.Column('contact_id', sa.Integer(), primary_key=True),
        sa.Column('first_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('last_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('frequency', sa.Integer(), nullable=False),
        sa.Column('revenue', sa.BigInteger(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('r', sa.Integer(), nullable=True),
        sa.Column('f', sa.Integer(), nullable=True),
        sa.Column('m', sa.Integer(), nullable=True),
        sa.Column('segment', sa.String(length=24), nullable=False),
        sa.Column('tier', sa.String(length=8), nullable=False),
        sa.Column('score_raw', sa.Float(), nullable=True),
        sa.Column('own_gap', sa.Float(), nullable=True),
        sa.Column('team_gap', sa.Float(), nullable=True),
        sa.Column('orders', sa.Integer(), nullable=False),
        sa.Column('value_365', sa.BigInteger(), nullable=False),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.drop_index('ix_interaction_team_at')
        batch_op.create_index('ix_interaction_team_at', ['team_id', 'occurred_at', 'member_id',
                                                         'kind', 'contact_id', 'deleted_at'])
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_team_paid', ['team_id', 'paid_at', 'order_id',
                                                       'amount_minor'])
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_order_team_ordered')
        batch_op.create_index('ix_order_team_ordered', ['team_id', 'ordered_at', 'owner_id',
                                                        'status', 'deleted_at', 'amount_minor'])
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_team_created', ['team_id', 'created_at'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_team_created')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_order_team_ordered')
        batch_op.create_index('ix_order_team_ordered', ['team_id', 'ordered_at'])
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_team_paid')
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.drop_index('ix_interaction_team_at')
        batch_op.create_index('ix_interaction_team_at', ['team_id', 'occurred_at'])
    op.drop_table('customer_profile')
    op.drop_table('profile_snapshot')
