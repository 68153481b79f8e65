"""The team area's buttons: confirming a deactivation or a whole-book reassignment.

Both are checked again by crm_store/team/handover.py when pressed.
"""

from __future__ import annotations

from handlers.callbacks import Callback


class ConfirmDeactivation(Callback, prefix="md"):
    """✅ on /deactivate: the leaver goes, their records go to the target."""

    leaver_id: int
    target_id: int


class ConfirmReassign(Callback, prefix="mr"):
    """✅ on /reassign all: the source's whole book goes to the target."""

    source_id: int
    target_id: int
