"""The deals area's buttons: the deal card's moves, Won, Lost, close date; picking a deal."""

from __future__ import annotations

from typing import Literal

from handlers.callbacks import Callback


class NewDeal(Callback, prefix="dn"):
    """'New deal' on a contact card: the /deal form with the contact chosen."""

    contact_id: int


class OpenDeal(Callback, prefix="dc"):
    """Open a deal's card."""

    deal_id: int


class MoveStage(Callback, prefix="dm"):
    """Move a deal to another stage ('lost' asks for the reason)."""

    deal_id: int
    stage: str


class WinDeal(Callback, prefix="dw"):
    """The Won button on a deal card."""

    deal_id: int


class LoseDeal(Callback, prefix="dx"):
    """The Lost button on a deal card: ask why."""

    deal_id: int


class CloseDate(Callback, prefix="dk"):
    """'Set close date' on a deal card; deal 0 is Skip in the /deal form's last step."""

    deal_id: int


SKIP_CLOSE_DATE = CloseDate(deal_id=0)


class PickDeal(Callback, prefix="dp"):
    """A deal chosen for /won (w) or /lost (l)."""

    deal_id: int
    verb: Literal["w", "l"]
