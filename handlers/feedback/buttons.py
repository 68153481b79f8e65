"""The feedback area's buttons: a complaint's severity, Resolve, /complaints pages."""

from __future__ import annotations

from typing import Annotated

from crm_store.sales.feedback import SEVERITIES
from handlers.callbacks import Callback, OneOf


class Severity(Callback, prefix="fv"):
    """The severity of the complaint waiting in the dialog."""

    contact_id: int
    severity: Annotated[str, OneOf(SEVERITIES)]


class ResolveFeedback(Callback, prefix="fr"):
    """Resolve in /complaints: ask how it was resolved."""

    feedback_id: int


class ComplaintsPage(Callback, prefix="fc"):
    """Previous / Next in /complaints (0 is the first page)."""

    page: int
