"""The loyalty area's button: an admin takes a contact's points below zero."""

from __future__ import annotations

from handlers.callbacks import Callback


class OverridePoints(Callback, prefix="po"):
    """Confirm the points change the dialog holds for this contact, balance below zero."""

    contact_id: int
