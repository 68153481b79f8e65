"""The activity area's buttons: log from a card, visit check-in, the quick log's proposal."""

from __future__ import annotations

from crm_store.models import InteractionKind
from handlers.callbacks import Callback


class LogInteraction(Callback, prefix="lg"):
    """A Log button on a card: ask for the note of this kind."""

    contact_id: int
    kind: InteractionKind


class CheckIn(Callback, prefix="ck"):
    """The contact visited, chosen under a shared location."""

    contact_id: int


class QuickContact(Callback, prefix="qp"):
    """Several contacts were named in a quick log: this is the one meant."""

    contact_id: int


class QuickConfirm(Callback, prefix="qc"):
    """Write what the quick-log proposal says."""


class QuickUndo(Callback, prefix="qu"):
    """Remove what a confirmed quick log wrote (task 0: it made no follow-up)."""

    interaction_id: int
    task_id: int


class QuickEdit(Callback, prefix="qe"):
    """Offer what can change in the proposal."""


class QuickKind(Callback, prefix="qk"):
    """Change the kind of interaction proposed."""

    kind: InteractionKind


class QuickDropFollowUp(Callback, prefix="qf"):
    """Keep the note, skip the follow-up."""


class QuickBack(Callback, prefix="qb"):
    """Back to the proposal."""


class QuickText(Callback, prefix="qt"):
    """Ask for the note text anew."""
