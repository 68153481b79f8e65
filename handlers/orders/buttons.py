"""The orders area's buttons: open an order, pick one for /paid, /receivables pages."""

from __future__ import annotations

from handlers.callbacks import Callback


class OpenOrder(Callback, prefix="oc"):
    """Open an order card."""

    order_id: int


class PayOrder(Callback, prefix="op"):
    """The order the payment typed with /paid is for."""

    order_id: int


class ReceivablesPage(Callback, prefix="or"):
    """Another page of /receivables (0 is the first)."""

    page: int
