"""profile snapshots by id: a rolling one per team and closing ones at period ends

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

The two tables hold only figures computed from the rest of the database, so they are
rebuilt empty; the scheduler (or the next question) fills them again.
"""
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _figures() -> list[sa.Column[Any]]:
    return [
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
    ]


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_table('customer_profile')
    op.drop_table('profile_snapshot')
    op.create_table(
        'profile_snapshot',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('team_id', sa.Integer(), sa.ForeignKey('team.id'), nullable=False),
        sa.Column('closing', sa.Boolean(), nullable=False),
        sa.Column('as_of', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('settings_key', sa.String(length=2000), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
    )
    op.create_index('ix_profile_snapshot_team', 'profile_snapshot',
                    ['team_id', 'closing', 'as_of'])
    op.create_table(
        'customer_profile',
        sa.Column('snapshot_id', sa.Integer(), sa.ForeignKey('profile_snapshot.id'),
                  primary_key=True),
        *_figures(),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('customer_profile')
    op.drop_index('ix_profile_snapshot_team', table_name='profile_snapshot')
    op.drop_table('profile_snapshot')
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
        *_figures(),
        sqlite_with_rowid=False,
    )
