"""End to end over real HTTP: `crm-bot run` (ptb, aiogram) against the stand-in."""

from __future__ import annotations

import re

import pytest

from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import ADMIN_ID

pytestmark = pytest.mark.e2e

ADMIN = FakeUser(ADMIN_ID, "Ada", language_code="en")
REP = FakeUser(2002, "李", "明", language_code="zh-hans")
STRANGER = FakeUser(6666, "Mallory", language_code="en")


async def say(standin: BotApiStandin, user: FakeUser, text: str, expect: str,
              timeout: float = 45.0) -> dict:
    """Send `text` as `user` and wait for a reply in their chat containing `expect`."""
    start = len(standin.sent)
    standin.user_sends(user, text)
    return await standin.wait_for_sent(
        lambda s: s["chat_id"] == user.id and expect in s["text"], timeout=timeout, start=start)


def button(record: dict, label_part: str) -> str:
    """The callback data of the button whose label contains `label_part`."""
    rows = (record.get("reply_markup") or {}).get("inline_keyboard", [])
    for row in rows:
        for b in row:
            if label_part in b["text"]:
                return b["callback_data"]
    raise AssertionError(f"no button {label_part!r} in {rows}")


async def test_rep_onboards_adds_finds_logs_and_presses_a_button(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    await bot.start()
    await say(standin, ADMIN, "/start", "Welcome")
    invite = await say(standin, ADMIN, "/invite rep", "start=")
    token = re.search(r"start=([\w-]+)", invite["text"]).group(1)  # type: ignore[union-attr]

    await say(standin, REP, f"/start {token}", "欢迎")
    await say(standin, REP, "/add 张伟, 华东机械, 13800138000", "负责人")  # the card, last
    found = await say(standin, REP, "/find zhangwei", "找到")
    assert found["parse_mode"] == "HTML"

    before = len(standin.sent)
    standin.user_presses(REP, found, button(found, "张伟"))
    card = await standin.wait_for_sent(lambda s: "负责人" in s["text"], start=before)
    assert "华东机械" in card["text"] and "+8613800138000" in card["text"]
    assert len(standin.callback_answers) == 1

    await say(standin, REP, "/log 张伟 电话 询问50台报价", "已记录电话")
    before = len(standin.sent)
    standin.user_presses(REP, card, button(card, "记拜访"))
    await standin.wait_for_sent(lambda s: "发生了什么" in s["text"], start=before)
    before = len(standin.sent)
    await say(standin, REP, "现场看了样机", "已记录拜访")
    card = await standin.wait_for_sent(lambda s: "现场看了样机" in s["text"], start=before)
    assert "询问50台报价" in card["text"] and "最近联系" in card["text"]

    zh_menu = {c["command"] for c in standin.commands_for("zh")}
    en_menu = {c["command"] for c in standin.commands_for("")}
    assert {"find", "add", "log", "contact"} <= zh_menu and zh_menu == en_menu
    await bot.wait_until("select 1 where (select count(*) from inbox where status != 'sent') = 0")
    assert bot.query("select count(*) from inbox")[0][0] == len(standin.updates)


async def test_stranger_is_refused_politely_and_not_stored(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    await bot.start()
    update = standin.user_sends(STRANGER, "hi, add me")
    refusal = await standin.wait_for_sent(lambda s: s["chat_id"] == STRANGER.id)
    assert "invite" in refusal["text"]
    await bot.wait_until(f"select 1 from inbox where update_id = {update['update_id']} "
                         "and status = 'sent'")
    assert bot.query("select payload from inbox where update_id = "
                     f"{update['update_id']}") == [(None,)]
    assert bot.query(f"select * from member where telegram_user_id = {STRANGER.id}") == []


async def test_html_in_user_data_is_escaped_and_every_message_fits(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    await bot.start()
    await say(standin, ADMIN, "/add <b>Bold</b> & Co, <script>x</script>", "Owner:")  # last reply
    for n in range(3):
        await say(standin, ADMIN, f"/log Bold note {n} " + "长笔记" * 1300, "note logged")
    record = await say(standin, ADMIN, "/contact Bold", "Owner")
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in record["text"]
    assert all(len(s["text"]) <= 4096 for s in standin.sent)


async def test_admin_help_and_usage_texts_reach_the_admin_in_both_languages(
    standin: BotApiStandin, bot: BotProcess
) -> None:
    """Telegram refuses HTML with unknown tags: raw `<member>` placeholders once lost these."""
    await bot.start()
    await say(standin, ADMIN, "/start", "Welcome")
    seen = {}
    for command in ("/help", "/deactivate", "/reassign", "/reactivate", "/erase"):
        start = len(standin.sent)
        standin.user_sends(ADMIN, command)
        reply = await standin.wait_for_sent(lambda s: s["chat_id"] == ADMIN.id, start=start)
        seen[command] = reply["message"]["text"]  # as the admin reads it
    assert "/reassign <contact> to <member>" in seen["/help"]
    assert "/deactivate <member> [to <member>]" in seen["/deactivate"]
    assert "/reassign all from <member> to <member>" in seen["/reassign"]
    assert "/reactivate <member>" in seen["/reactivate"]
    assert "/erase" in seen["/erase"]
    await say(standin, ADMIN, "/lang zh", "中文")
    start = len(standin.sent)
    standin.user_sends(ADMIN, "/help")
    reply = await standin.wait_for_sent(lambda s: s["chat_id"] == ADMIN.id, start=start)
    assert "/deactivate <成员> [to <成员>]" in reply["message"]["text"]
