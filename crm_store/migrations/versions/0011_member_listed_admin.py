"""member.listed_admin: admin because ADMIN_TELEGRAM_IDS lists them, so leaving it demotes

Existing admins who joined through the list (their "create" audit row was written by
themselves, with no invite) are marked.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # A plain ADD COLUMN: batch mode would rebuild member, which the foreign keys of every
    # table pointing at it forbid on a SQLite database that holds data.
    op.add_column('member', sa.Column('listed_admin', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    bind = op.get_bind()
    created = bind.execute(sa.text(
        "SELECT entity_id, after FROM auditlog WHERE entity = 'member' AND action = 'create' "
        "AND actor_id = entity_id")).all()
    listed = []
    for member_id, after in created:
        copy = after if isinstance(after, dict) else json.loads(after or "null") or {}
        if copy and copy.get("role") == "admin" and "invite_id" not in copy:
            listed.append(member_id)
    if listed:
        bind.execute(sa.text("UPDATE member SET listed_admin = :yes WHERE id = :id "
                             "AND role = 'admin'"),
                     [{"yes": True, "id": member_id} for member_id in listed])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('listed_admin')
