"""A shared contact card and a shared location over HTTP, through each framework's update
parsing: the card becomes a contact, the location a visit check-in on the chosen customer."""

from __future__ import annotations

import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_ptb_polling import button

pytestmark = pytest.mark.e2e
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")


async def test_shared_contact_is_added_and_shared_location_checks_in_a_visit(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    await bot.start()
    start = len(standin.sent)
    standin.user_shares_contact(ADMIN, "8613912345678", "Lei", "Li")
    card = await standin.wait_for_sent(lambda s: "Owner:" in s["text"], start=start, timeout=60)
    assert "Li" in card["text"] and "+8613912345678" in card["text"]
    assert bot.query("select name, phone, source from contact") == [
        ("Lei Li", "+8613912345678", "telegram")]

    start = len(standin.sent)
    standin.user_shares_location(ADMIN, 31.23041, 121.47370)
    which = await standin.wait_for_sent(lambda s: "Visit check-in" in s["text"], start=start)
    start = len(standin.sent)
    standin.user_presses(ADMIN, which, button(which, "Lei Li"))
    await standin.wait_for_sent(lambda s: "Visit checked in at 31.23041, 121.47370" in s["text"],
                                start=start)
    assert bot.query("select kind, latitude, longitude from interaction") == [
        ("visit", 31.23041, 121.4737)]
