"""The sales pipeline per team: its stages (or the default ones), their validation and edits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from crm_store import audit
from crm_store.errors import Forbidden, Invalid
from crm_store.models import Member, PipelineStage, Role

WON, LOST = "won", "lost"
DEFAULT_OPEN_STAGES = (("lead", 10), ("qualified", 20), ("proposal", 50), ("negotiation", 80))
MIN_STAGES, MAX_STAGES = 2, 10
STAGE_KEY = re.compile(r"^[a-z0-9_]{1,30}$")


@dataclass(frozen=True)
class Stage:
    """One step of a pipeline: key, win probability in percent, place in the pipeline."""

    key: str
    probability: int
    position: int

    @property
    def is_open(self) -> bool:
        """Whether deals in this stage are still being worked (not won or lost)."""
        return self.key not in (WON, LOST)


def stages_for(session: Session, team_id: int) -> list[Stage]:
    """The team's pipeline in order: its open stages (or the default ones), then won and lost."""
    rows = session.exec(select(PipelineStage).where(PipelineStage.team_id == team_id)
                        .order_by(col(PipelineStage.position))).all()
    pairs = [(row.key, row.probability) for row in rows] or list(DEFAULT_OPEN_STAGES)
    stages = [Stage(key, probability, index) for index, (key, probability) in enumerate(pairs)]
    return [*stages, Stage(WON, 100, len(stages)), Stage(LOST, 0, len(stages) + 1)]


def set_stages(session: Session, *, actor: Member, stages: list[tuple[str, int]]) -> list[Stage]:
    """Replace the team's open stages (admins only); won and lost always follow them."""
    if actor.role != Role.ADMIN:
        raise Forbidden("deal.stages_forbidden")
    _check_stages(stages)
    before = [f"{s.key}:{s.probability}" for s in stages_for(session, actor.team_id)]
    rows = {row.key: row for row in session.exec(
        select(PipelineStage).where(PipelineStage.team_id == actor.team_id))}
    wanted = {key for key, _ in stages}
    for key in rows.keys() - wanted:
        session.delete(rows[key])
    session.flush()
    for position, (key, probability) in enumerate(stages):
        row = rows.get(key) or PipelineStage(team_id=actor.team_id, key=key, position=position,
                                             probability=probability)
        row.position, row.probability = position, probability
        session.add(row)
    session.flush()
    after = stages_for(session, actor.team_id)
    audit.record(session, actor=actor, action="update", entity="pipeline",
                 entity_id=actor.team_id, before={"stages": before},
                 after={"stages": [f"{s.key}:{s.probability}" for s in after]})
    return after


def _check_stages(stages: list[tuple[str, int]]) -> None:
    if not MIN_STAGES <= len(stages) <= MAX_STAGES:
        raise Invalid("deal.stage_count", low=MIN_STAGES, high=MAX_STAGES, count=len(stages))
    seen: set[str] = set()
    for key, probability in stages:
        if not STAGE_KEY.match(key):
            raise Invalid("deal.stage_key", stage=key[:40])
        if key in (WON, LOST):
            raise Invalid("deal.stage_reserved", stage=key)
        if key in seen:
            raise Invalid("deal.stage_duplicate", stage=key)
        if not 0 <= probability <= 99:
            raise Invalid("deal.stage_probability", stage=key, value=probability)
        seen.add(key)
