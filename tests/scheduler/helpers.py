"""Helpers shared by the producer tests: a hand-set clock and small database edits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm_store.db import unit_of_work
from crm_store.models import Member


class FakeClock:
    """A clock the test sets by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        """The time the test set."""
        return self.at


@contextmanager
def acting(engine: Engine, member: Member) -> Iterator[tuple[Session, Member]]:
    """A unit of work with `member` loaded in it, to call services as that member."""
    with unit_of_work(engine) as s:
        me = s.get(Member, member.id)
        assert me is not None
        yield s, me


def change(engine: Engine, model: Any, row_id: int | None, **fields: Any) -> None:
    """Set fields of one row directly (dates in the past, and the like)."""
    with unit_of_work(engine) as s:
        row = s.get(model, row_id)
        for name, value in fields.items():
            setattr(row, name, value)
        s.add(row)
