"""a deal is a deal: table opportunity → deal, opportunity_id → deal_id, audit rows too

The audit trail stored deals under both "opportunity" (the deal services) and "deal" (the
hand-over); every row now says "deal". A form open under its old name ("transfer_import") is
renamed with the import area ("import").

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, old column, new column, old index, new index); None: the column has no index.
COLUMNS = (
    ("stagechange", "opportunity_id", "deal_id",
     "ix_stagechange_opportunity_id", "ix_stagechange_deal_id"),
    ("task", "opportunity_id", "deal_id", None, None),
    ("sales_order", "opportunity_id", "deal_id", None, None),
)


def _rename(old_table: str, new_table: str, old: str, new: str,
            columns: list[tuple[str, str, str, str | None, str | None]]) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(f"ALTER TABLE {old_table} RENAME TO {new_table}")
    for table, old_col, new_col, old_ix, new_ix in columns:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {old_col} TO {new_col}")
        if old_ix and new_ix:
            _rename_index(old_ix, new_ix, table, [new_col], postgres)
    _rename_index(f"ix_{old}_contact_id", f"ix_{new}_contact_id", new_table, ["contact_id"],
                  postgres)
    _rename_index(f"ix_{old}_team_owner_status", f"ix_{new}_team_owner_status", new_table,
                  ["team_id", "owner_id", "status"], postgres)
    if postgres:
        op.execute(f"ALTER SEQUENCE {old_table}_id_seq RENAME TO {new_table}_id_seq")
        op.execute(f"ALTER TABLE {new_table} RENAME CONSTRAINT {old_table}_pkey "
                   f"TO {new_table}_pkey")


def _rename_index(old: str, new: str, table: str, columns: list[str], postgres: bool) -> None:
    if postgres:
        op.execute(f"ALTER INDEX {old} RENAME TO {new}")
    else:  # SQLite cannot rename an index: build it again under the new name
        op.execute(f"DROP INDEX {old}")
        op.execute(f"CREATE INDEX {new} ON {table} ({', '.join(columns)})")


def upgrade() -> None:
    """Upgrade schema."""
    _rename("opportunity", "deal", "opportunity", "deal", list(COLUMNS))
    op.execute("UPDATE auditlog SET entity = 'deal' WHERE entity = 'opportunity'")
    op.execute("UPDATE dialogstate SET flow = 'import' WHERE flow = 'transfer_import'")


def downgrade() -> None:
    """Downgrade schema (the audit rows keep saying "deal")."""
    back = [(t, new, old, new_ix, old_ix) for t, old, new, old_ix, new_ix in COLUMNS]
    _rename("deal", "opportunity", "deal", "opportunity", back)
