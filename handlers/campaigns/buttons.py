"""The campaigns area's buttons: the /campaign form's choices and Confirm, results, drafts."""

from __future__ import annotations

from typing import Annotated, Literal

from handlers.callbacks import Callback, OneOf

# A draft's outcome in button data: "co:<target>:c:<offset>" marks it contacted.
OUTCOME_CODES = {"c": "contacted", "r": "responded", "n": "not_interested", "s": "skipped"}


class FormChoice(Callback, prefix="cf"):
    """A choice in the /campaign form: a channel ('ch' and the channel) or the default timing
    ('def', nothing more)."""

    step: Literal["ch", "def"]
    channel: str | None = None

    def valid(self) -> bool:
        """A channel comes with 'ch' and only with it."""
        return (self.step == "ch") == (self.channel is not None)


class ConfirmCampaign(Callback, prefix="cc"):
    """Confirm at the end of the /campaign form: create it."""


class CampaignReport(Callback, prefix="ce"):
    """A campaign's results."""

    campaign_id: int


class DraftsPage(Callback, prefix="cg"):
    """One of the rep's targets in a campaign, by its place in their list (0 is the first)."""

    campaign_id: int
    offset: int


class MarkOutcome(Callback, prefix="co"):
    """Contacted / Responded / Not interested / Skip on a draft, then back to that place."""

    target_id: int
    outcome: Annotated[str, OneOf(tuple(OUTCOME_CODES))]
    offset: int
