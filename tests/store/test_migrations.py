"""Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from crm_store.migrate import current_revision, upgrade


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_reports_head(engine: Engine) -> None:
    upgrade(engine)
    from alembic.script import ScriptDirectory

    from crm_store.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None and current_revision(engine) == head
