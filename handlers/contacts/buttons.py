"""The contacts area's buttons: open a card, edit it, and the /add form's Skip and duplicates."""

from __future__ import annotations

from typing import Annotated

from crm_store.contacts.contacts import EDITABLE_FIELDS
from handlers.callbacks import Callback, OneOf


class OpenContact(Callback, prefix="ct"):
    """Open a contact's card (every area links to it)."""

    contact_id: int


class EditContact(Callback, prefix="ed"):
    """Edit on a card: choose the field."""

    contact_id: int


class EditField(Callback, prefix="ef"):
    """A field chosen to edit: ask for its new value."""

    contact_id: int
    field: Annotated[str, OneOf(EDITABLE_FIELDS)]


class SkipField(Callback, prefix="fs"):
    """Skip the current optional field of the /add form."""


class CreateAnyway(Callback, prefix="dup"):
    """Create the contact the duplicate check held back."""
