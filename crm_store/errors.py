"""Domain errors: services raise them, handlers turn them into text in the user's language."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule was broken; `key` names the catalog message, `params` fill it in."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotFound(DomainError):
    """The record does not exist or the actor may not see it (we never tell which)."""


class Forbidden(DomainError):
    """The actor's role does not allow this."""


class Invalid(DomainError):
    """The input does not make sense."""
