"""A manager's month report over HTTP: `crm-bot run` (ptb, aiogram) against the Bot API stand-in
sends the charts with sendPhoto and the workbook with sendDocument."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_ptb_polling import say

pytestmark = pytest.mark.e2e
ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")
MANAGER = FakeUser(3003, "Wang", "Qiang", language_code="en")
PNG, ZIP = b"\x89PNG\r\n\x1a\n", b"PK\x03\x04"


async def test_manager_gets_month_report_as_photos_and_a_workbook(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    await bot.start()
    invite = await say(standin, ADMIN, "/invite manager", "start=")
    token = re.search(r"start=([\w-]+)", invite["text"]).group(1)  # type: ignore[union-attr]
    await say(standin, MANAGER, f"/start {token}", "Welcome")
    await say(standin, MANAGER, "/add 张伟, 华东机械, 13800138000", "Owner:")
    await say(standin, MANAGER, "/deal 张伟 ERP upgrade 5万", "Stage:")
    logged = len(standin.sent)
    await say(standin, MANAGER, "/log 张伟 call asked for a quote", "call logged")
    await standin.wait_for_sent(lambda s: "Last contacted" in s["text"], start=logged)  # card

    start = len(standin.sent)
    standin.user_sends(MANAGER, "/report month")
    document = await standin.wait_for_sent(
        lambda s: s["chat_id"] == MANAGER.id and s["method"] == "sendDocument",
        start=start, timeout=60)
    sent = [s for s in standin.sent[start:] if s["chat_id"] == MANAGER.id]
    photos = [s for s in sent if s["method"] == "sendPhoto"]
    assert [s["method"] for s in sent] == ["sendPhoto"] * 4 + ["sendDocument"]
    assert all(p["data"].startswith(PNG) for p in photos)
    assert [p["message"]["photo"][0]["width"] for p in photos] == [1000] * 4
    assert "Funnel" in photos[0]["text"]
    assert re.fullmatch(r"crm-report-\d{4}-\d{2}\.xlsx", document["filename"])
    assert document["data"].startswith(ZIP)
    assert document["message"]["document"]["file_name"] == document["filename"]
    book = load_workbook(io.BytesIO(document["data"]))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert (summary["Calls"], summary["New deals"], summary["New contacts"]) == (1, 1, 1)
    assert "Wang Qiang" in [row[0] for row in book["Activity"].iter_rows(values_only=True)]
