"""Typed stand-ins where SQLModel's type hints fall short; each builds what the plain call does."""

from __future__ import annotations

from typing import Any, TypeVar, cast

import sqlalchemy
from sqlalchemy import Table
from sqlalchemy.orm import Mapped, class_mapper
from sqlmodel import SQLModel, col
from sqlmodel.sql.expression import Select

# A SELECT of any columns, SQLModel's or SQLAlchemy's: what a helper adding WHERE clauses
# takes and gives back.
AnySelect = TypeVar("AnySelect", bound=sqlalchemy.Select[Any])


def select_columns(*columns: Any) -> Select[*tuple[Any, ...]]:
    """`select()` of five or more columns, or of a list: SQLModel types four at most.

    Rows come back as tuples, as from `select()` of two columns or more.
    """
    return Select(*columns)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table `model` is mapped to (SQLModel declares no `__table__` for checkers)."""
    table = class_mapper(model).local_table
    assert isinstance(table, Table)
    return table


def stored_id(column: int | None) -> Mapped[int]:
    """`col()` of a model's `id`, read from stored rows: never NULL there (None: not yet saved)."""
    return cast("Mapped[int]", col(column))
