"""The reports area's buttons: /team drill-downs and periods, /atrisk pages."""

from __future__ import annotations

from typing import Annotated

from crm_store.analytics.team_activity import PERIODS
from handlers.callbacks import Callback, OneOf

TEAM_VIEW = 0  # member id 0 in "tm:0:<period>" means the whole table


class TeamView(Callback, prefix="tm"):
    """/team for one rep (or the whole team: member 0) over a period (d, w or m)."""

    member_id: int
    period: Annotated[str, OneOf(PERIODS)]


class AtRiskPage(Callback, prefix="ar"):
    """Another page of /atrisk (1 is the first)."""

    page: int
