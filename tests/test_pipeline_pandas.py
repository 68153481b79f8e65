"""The SQL pipeline figures agree with pandas over raw rows of 10k generated customers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench.generate import DatasetInfo, generate_dataset
from crm_store.analytics import pipeline_stats
from crm_store.db import unit_of_work
from crm_store.models import Member

NOW = datetime(2025, 6, 30, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai
POSITION = {"lead": 0, "qualified": 1, "proposal": 2, "negotiation": 3, "won": 4}
PROBABILITY = {"lead": 10, "qualified": 20, "proposal": 50, "negotiation": 80}


def raw(engine: Engine, sql: str, *dates: str) -> pd.DataFrame:
    """Rows of a plain SELECT, with the named columns parsed as UTC times."""
    with engine.connect() as conn:
        frame = pd.read_sql_query(text(sql), conn)
    for name in dates:
        frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    return frame


def visible_owners(members: pd.DataFrame, member_id: int, role: str) -> set[int]:
    """The member and everyone below them (admins: everyone)."""
    if role == "admin":
        return set(members["id"])
    seen, frontier = {member_id}, {member_id}
    while frontier:
        frontier = set(members.loc[members["manager_id"].isin(frontier), "id"]) - seen
        seen |= frontier
    return seen


def expected_funnel(deals: pd.DataFrame, moves: pd.DataFrame, start: datetime,
                    end: datetime) -> dict[str, object]:
    """Reached / moved on per stage, win rate, cycle and velocity, straight from the rows."""
    moves = moves[(moves["at"] > start) & (moves["at"] <= end)].copy()
    moves["to_pos"] = moves["to_stage"].map(POSITION)
    moves["from_pos"] = moves["from_stage"].map(POSITION)
    moves.loc[moves["from_stage"].isna(), "from_pos"] = -1
    moves["from_pos"] = moves["from_pos"].fillna(moves["to_pos"] - 1)
    stages = []
    for pos in range(len(POSITION)):
        crossing = moves[(moves["from_pos"] < pos) & (moves["to_pos"] >= pos)]
        reached = crossing.groupby("deal_id")["at"].min().rename("reached_at")
        later = moves.merge(reached, left_on="deal_id", right_index=True)
        moved = later[(later["to_pos"] > pos) & (later["at"] >= later["reached_at"])]
        stages.append((len(reached), moved["deal_id"].nunique()))
    closed = deals[(deals["closed_at"] > start) & (deals["closed_at"] <= end)]
    won, lost = closed[closed["status"] == "won"], closed[closed["status"] == "lost"]
    cycle = ((won["closed_at"] - won["created_at"]).dt.total_seconds() / 86_400).mean()
    open_deals = int((deals["status"] == "open").sum())
    win_rate = len(won) / (len(won) + len(lost))
    velocity = open_deals * round(won["amount_minor"].mean()) * win_rate / max(cycle, 1.0)
    return {"stages": stages, "won": len(won), "lost": len(lost), "win_rate": win_rate,
            "avg_won": round(won["amount_minor"].mean()), "cycle": cycle,
            "open": open_deals, "per_day": round(velocity), "per_month": round(velocity * 30)}


def expected_forecast(deals: pd.DataFrame, today: date) -> dict[str, tuple[int, ...]]:
    """Open deals per close bucket: count, best case, weighted, committed (negotiation)."""
    open_deals = deals[deals["status"] == "open"].copy()
    close = pd.to_datetime(open_deals["expected_close"])
    ahead = (close.dt.year - today.year) * 12 + close.dt.month - today.month
    open_deals["bucket"] = [
        "none" if pd.isna(day) else "overdue" if day.date() < today else
        "later" if n >= 6 else day.strftime("%Y-%m") for day, n in zip(close, ahead, strict=True)]
    open_deals["weighted"] = open_deals["amount_minor"] * open_deals["stage"].map(PROBABILITY)
    open_deals["committed"] = open_deals["amount_minor"].where(
        open_deals["stage"] == "negotiation", 0)
    grouped = open_deals.groupby("bucket").agg(
        n=("id", "size"), best=("amount_minor", "sum"), weighted=("weighted", "sum"),
        committed=("committed", "sum"))
    return {key: (int(r.n), int(r.best), int(r.weighted) // 100, int(r.committed))
            for key, r in grouped.iterrows()}


@pytest.fixture
def dataset(engine: Engine) -> DatasetInfo:
    info = generate_dataset(engine, customers=10_000, seed=7, now=NOW,
                            interactions_per_customer=1)
    with engine.begin() as conn:
        # Planner statistics, as autovacuum would gather after a bulk load: without them
        # PostgreSQL guesses one row per table and picks nested loops over thousands of rows.
        conn.execute(text("ANALYZE"))
    return info


@pytest.mark.slow
def test_sql_figures_match_pandas_on_10k_customers(engine: Engine, dataset: DatasetInfo) -> None:
    members = raw(engine, "SELECT id, role, manager_id FROM member")
    all_deals = raw(engine, "SELECT id, owner_id, stage, status, amount_minor, expected_close, "
                    "created_at, closed_at FROM deal WHERE deleted_at IS NULL",
                    "created_at", "closed_at")
    all_moves = raw(engine, "SELECT deal_id, from_stage, to_stage, at FROM stagechange",
                    "at")
    assert len(all_moves) == dataset.stage_changes > 5_000
    for member_id in (dataset.admin_id, dataset.manager_ids[0], dataset.rep_ids[0]):
        with unit_of_work(engine) as s:
            actor = s.get(Member, member_id)
            assert actor is not None
            owners = visible_owners(members, member_id, actor.role.value)
            deals = all_deals[all_deals["owner_id"].isin(owners)]
            moves = all_moves[all_moves["deal_id"].isin(deals["id"])]

            found = pipeline_stats.funnel(s, actor=actor, now=NOW)
            want = expected_funnel(deals, moves, NOW - timedelta(days=180), NOW)
            assert [(f.reached, f.moved_on) for f in found.stages] == want["stages"]
            assert (found.won, found.lost, found.open_deals) == (
                want["won"], want["lost"], want["open"])
            assert found.win_rate == pytest.approx(want["win_rate"])
            assert found.avg_won_minor == want["avg_won"]
            assert found.avg_cycle_days == pytest.approx(want["cycle"], abs=1e-4)
            assert found.velocity_per_day_minor == pytest.approx(want["per_day"], abs=1)
            assert found.velocity_per_month_minor == pytest.approx(want["per_month"], abs=30)

            rows = pipeline_stats.pipeline_by_stage(s, actor=actor, now=NOW)
            open_deals = deals[deals["status"] == "open"]
            by_stage = open_deals.groupby("stage")["amount_minor"].agg(["size", "sum"])
            assert [(r.stage, r.count, r.amount_minor, r.weighted_minor) for r in rows] == [
                (stage, int(by_stage.loc[stage, "size"]), int(by_stage.loc[stage, "sum"]),
                 int(by_stage.loc[stage, "sum"]) * PROBABILITY[stage] // 100)
                for stage in PROBABILITY]

            buckets = pipeline_stats.forecast(s, actor=actor, now=NOW).buckets
            assert {b.key: (b.count, b.best_case_minor, b.weighted_minor, b.committed_minor)
                    for b in buckets if b.count} == expected_forecast(deals, date(2025, 6, 30))
