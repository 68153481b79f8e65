"""The records area's buttons: audit pages, delete and restore, erasure, file imports."""

from __future__ import annotations

from typing import Annotated, Literal

from crm_store.records.restore import KINDS
from handlers.callbacks import Callback, OneOf


class AuditMore(Callback, prefix="au"):
    """The next (older) page of a customer's history, before audit row `before_id`."""

    contact_id: int
    before_id: int


class ConfirmDelete(Callback, prefix="ax"):
    """Delete the customer the confirmation named (restorable for 30 days)."""

    contact_id: int


class Restore(Callback, prefix="av"):
    """Restore a deleted contact (c), deal (d) or order (o)."""

    kind: Annotated[str, OneOf(tuple(KINDS))]
    row_id: int


class ConfirmErase(Callback, prefix="er"):
    """The Confirm button of /erase, for the contact the open confirmation names; `mentions`:
    also blank the person in other customers' records."""

    contact_id: int
    mentions: bool | None = None


class ImportAnswer(Callback, prefix="imp"):
    """Confirm (ok) or cancel (no) the import the dialog holds under `token`."""

    answer: Literal["ok", "no"]
    token: str
