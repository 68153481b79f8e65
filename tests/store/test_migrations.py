"""Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import os

import pytest
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


def _fresh_engine(kind: str, tmp_path) -> Engine:  # type: ignore[no-untyped-def]
    """An empty database of `kind` (no tables yet)."""
    from sqlalchemy import text

    from crm_store.db import make_engine
    from tests.conftest import POSTGRES_URL, _postgres_reason, _with_schema

    if kind == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    schema = f"crm_old_data_{os.getpid()}"  # parallel runs never share it
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return make_engine(_with_schema(POSTGRES_URL, schema))


SEED_0009 = [  # a team's rows as revision 0009 stored them
    "INSERT INTO team (id, name, currency, settings, created_at) "
    "VALUES (1, 'Sales', 'CNY', '{}', '2026-01-01')",
    "INSERT INTO member (id, team_id, telegram_user_id, display_name, role, language, timezone,"
    " work_start, work_end, active, created_at) VALUES "
    "(1, 1, 1001, 'Ada', 'admin', 'en', 'UTC', 9, 18, true, '2026-01-01'),"
    "(2, 1, 1002, 'Ivy', 'admin', 'en', 'UTC', 9, 18, true, '2026-01-01')",
    "INSERT INTO auditlog (team_id, actor_id, action, entity, entity_id, after, at) VALUES "
    "(1, 1, 'create', 'member', 1, '{\"role\": \"admin\", \"display_name\": \"Ada\"}', "
    "'2026-01-01'), (1, 2, 'create', 'member', 2, '{\"role\": \"admin\", \"invite_id\": 3}', "
    "'2026-01-01'), (1, 1, 'create', 'opportunity', 1, '{\"title\": \"ERP\"}', '2026-01-02')",
    "INSERT INTO contact (id, team_id, owner_id, name, pinyin_full, pinyin_initials, tags,"
    " birthday_lunar, lifecycle_stage, created_at, updated_at) VALUES "
    "(1, 1, 1, '张伟', 'zhangwei', 'zw', '[]', false, 'customer', '2026-01-01', '2026-01-01')",
    "INSERT INTO opportunity (id, team_id, owner_id, contact_id, title, amount_minor, currency,"
    " stage, probability, status, stage_entered_at, last_activity_at, created_at, updated_at)"
    " VALUES (1, 1, 1, 1, 'ERP', 5000000, 'CNY', 'proposal', 50, 'open', '2026-01-02',"
    " '2026-01-02', '2026-01-02', '2026-01-02')",
    "INSERT INTO stagechange (team_id, opportunity_id, from_stage, to_stage, at) VALUES "
    "(1, 1, 'lead', 'proposal', '2026-01-03')",
    "INSERT INTO task (team_id, owner_id, contact_id, opportunity_id, text, due_at, status,"
    " created_at) VALUES (1, 1, 1, 1, 'quote', '2026-02-01', 'open', '2026-01-02')",
    "INSERT INTO sales_order (team_id, owner_id, contact_id, opportunity_id, amount_minor,"
    " paid_minor, currency, status, note, ordered_at, created_at) VALUES "
    "(1, 1, 1, 1, 100000, 0, 'CNY', 'open', '', '2026-01-04', '2026-01-04')",
    "INSERT INTO dialogstate (chat_id, user_id, flow, step, data, updated_at) VALUES "
    "(1001, 1001, 'transfer_import', 'confirm', '{}', '2026-01-05')",
]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_upgrading_a_database_with_data_from_0009_keeps_every_row(kind: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    engine = _fresh_engine(kind, tmp_path)
    upgrade(engine, "0009")
    with engine.begin() as conn:
        for statement in SEED_0009:
            conn.execute(text(statement))
    upgrade(engine)
    with engine.connect() as conn:
        deal = conn.execute(text("SELECT id, title, stage FROM deal")).one()
        linked = [conn.execute(text(f"SELECT deal_id FROM {t}")).scalar_one()
                  for t in ("stagechange", "task", "sales_order")]
        entities = conn.execute(text("SELECT entity FROM auditlog ORDER BY id")).scalars().all()
        flow = conn.execute(text("SELECT flow FROM dialogstate")).scalar_one()
        admins = conn.execute(text("SELECT id, listed_admin FROM member ORDER BY id")).all()
    engine.dispose()
    assert tuple(deal) == (1, "ERP", "proposal") and linked == [1, 1, 1]
    assert entities == ["member", "member", "deal"] and flow == "import"
    assert [(i, bool(listed)) for i, listed in admins] == [(1, True), (2, False)]
