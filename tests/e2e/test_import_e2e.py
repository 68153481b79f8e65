"""A contacts file sent to the bot over HTTP: downloaded via getFile, previewed, confirmed."""

from __future__ import annotations

import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_sales_flow import data_of, press

pytestmark = pytest.mark.e2e
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")
CSV = ("姓名,公司,电话,邮箱\n"
       "张伟,华东机械,13800138000,zw@example.com\n"
       "李娜,华南贸易,13900139000,\n"
       ",没有名字,13700137000,\n").encode("gbk")  # as Chinese Excel saves a CSV


async def test_a_gbk_csv_is_downloaded_previewed_and_imported_on_confirm(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    await bot.start()
    start = len(standin.sent)
    standin.user_sends_document(ADMIN, "客户.csv", "text/csv", CSV)
    preview = await standin.wait_for_sent(lambda s: "Import preview" in s["text"], start=start,
                                          timeout=60)
    assert "客户.csv" in preview["text"] and "4" in preview["text"]  # the nameless row 4
    assert any(name == "getFile" for name, _ in standin.calls)
    assert bot.query("select count(*) from contact") == [(0,)]  # nothing before Confirm
    await press(standin, preview, data_of(preview, lambda label, _d: "Add 2" in label),
                "Added 2 contacts")
    assert sorted(bot.query("select name, phone from contact")) == [
        ("张伟", "+8613800138000"), ("李娜", "+8613900139000")]
