"""contact version: a per-team stamp kept by triggers, so search can keep keys in memory

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The contact columns search reads; other changes (updated_at, notes…) leave the stamp alone.
SEARCHED = "name, company_id, phone, email, pinyin_full, pinyin_initials, owner_id, deleted_at, team_id"

PG_FUNCTION = """
CREATE FUNCTION crm_bump_contact_version() RETURNS trigger AS $$
DECLARE
    team integer;
BEGIN
    IF TG_OP = 'DELETE' THEN team := OLD.team_id; ELSE team := NEW.team_id; END IF;
    INSERT INTO contact_version (team_id, stamp)
    VALUES (team, (random() * 9.0e18)::bigint - 4500000000000000000)
    ON CONFLICT (team_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def _sqlite_triggers(table: str, columns: str) -> list[str]:
    bump = ("INSERT OR IGNORE INTO contact_version (team_id, stamp) VALUES ({row}.team_id, 0); "
            "UPDATE contact_version SET stamp = random() WHERE team_id = {row}.team_id;")
    return [
        f"CREATE TRIGGER {table}_version_insert AFTER INSERT ON {table} "
        f"BEGIN {bump.format(row='NEW')} END",
        f"CREATE TRIGGER {table}_version_update AFTER UPDATE OF {columns} ON {table} "
        f"BEGIN {bump.format(row='NEW')} END",
        f"CREATE TRIGGER {table}_version_delete AFTER DELETE ON {table} "
        f"BEGIN {bump.format(row='OLD')} END",
    ]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'contact_version',
        sa.Column('team_id', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('stamp', sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO contact_version (team_id, stamp) SELECT id, 1 FROM team")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER contact_version_bump AFTER INSERT OR DELETE OR UPDATE OF "
                   f"{SEARCHED} ON contact FOR EACH ROW "
                   "EXECUTE FUNCTION crm_bump_contact_version()")
        op.execute("CREATE TRIGGER company_version_bump AFTER INSERT OR DELETE OR UPDATE OF "
                   "name, team_id ON company FOR EACH ROW "
                   "EXECUTE FUNCTION crm_bump_contact_version()")
    else:
        for statement in (_sqlite_triggers("contact", SEARCHED)
                          + _sqlite_triggers("company", "name, team_id")):
            op.execute(statement)


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS contact_version_bump ON contact")
        op.execute("DROP TRIGGER IF EXISTS company_version_bump ON company")
        op.execute("DROP FUNCTION IF EXISTS crm_bump_contact_version()")
    else:
        for table in ("contact", "company"):
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_version_{event}")
    op.drop_table('contact_version')
