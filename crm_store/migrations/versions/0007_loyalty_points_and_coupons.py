"""loyalty and campaigns: points ledger, coupons, campaigns and their targets

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'loyalty_entry',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('team_id', sa.Integer(), sa.ForeignKey('team.id'), nullable=False),
        sa.Column('contact_id', sa.Integer(), sa.ForeignKey('contact.id'), nullable=False),
        sa.Column('member_id', sa.Integer(), sa.ForeignKey('member.id'), nullable=True),
        sa.Column('order_id', sa.Integer(), sa.ForeignKey('sales_order.id'), nullable=True),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('delta', sa.Integer(), nullable=False),
        sa.Column('balance_after', sa.Integer(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint('order_id', name='uq_loyalty_order'),
    )
    op.create_index('ix_loyalty_contact', 'loyalty_entry', ['contact_id', 'created_at'])
    op.create_table(
        'coupon',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('team_id', sa.Integer(), sa.ForeignKey('team.id'), nullable=False),
        sa.Column('contact_id', sa.Integer(), sa.ForeignKey('contact.id'), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('value_minor', sa.BigInteger(), nullable=False),
        sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), sa.ForeignKey('member.id'), nullable=False),
        sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('redeemed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('redeemed_by_id', sa.Integer(), sa.ForeignKey('member.id'), nullable=True),
        sa.UniqueConstraint('team_id', 'code', name='uq_coupon_team_code'),
    )
    op.create_index('ix_coupon_contact', 'coupon', ['contact_id'])
    op.create_table(
        'campaign',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('team_id', sa.Integer(), sa.ForeignKey('team.id'), nullable=False),
        sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('member.id'), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('goal', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('audience', sa.JSON(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('template', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('conversion_days', sa.Integer(), nullable=False),
        sa.Column('control_pct', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint('team_id', 'name', name='uq_campaign_team_name'),
    )
    op.create_table(
        'campaign_target',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('campaign_id', sa.Integer(), sa.ForeignKey('campaign.id'), nullable=False),
        sa.Column('contact_id', sa.Integer(), sa.ForeignKey('contact.id'), nullable=False),
        sa.Column('owner_id', sa.Integer(), sa.ForeignKey('member.id'), nullable=False),
        sa.Column('control', sa.Boolean(), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('outcome_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.UniqueConstraint('campaign_id', 'contact_id', name='uq_campaign_target'),
    )
    op.create_index('ix_campaign_target_owner', 'campaign_target',
                    ['campaign_id', 'owner_id', 'control'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_campaign_target_owner', table_name='campaign_target')
    op.drop_table('campaign_target')
    op.drop_table('campaign')
    op.drop_index('ix_coupon_contact', table_name='coupon')
    op.drop_table('coupon')
    op.drop_index('ix_loyalty_contact', table_name='loyalty_entry')
    op.drop_table('loyalty_entry')
