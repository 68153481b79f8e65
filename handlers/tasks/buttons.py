"""The tasks area's buttons: Follow-up on a card, /tasks pages, Done."""

from __future__ import annotations

from typing import Literal

from handlers.callbacks import Callback


class FollowUp(Callback, prefix="tf"):
    """The card's Follow-up button: ask when and what."""

    contact_id: int


class TasksPage(Callback, prefix="tl"):
    """Another page of /tasks: the member's own (m) or their team's (t)."""

    offset: int
    scope: Literal["m", "t"]


class TaskDone(Callback, prefix="td"):
    """Close a follow-up."""

    task_id: int
