"""Each framework's sender over real HTTP: long replies split at 4096, buttons on the last part,
edits, button presses answered."""

from __future__ import annotations

import pytest

from bot.delivery import ReplySender
from bot.settings import Settings
from handlers.types import Button, ChatRequest, Kind, Reply
from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.conftest import TOKEN
from tests.e2e.frameworks import framework_bot, sender_for

pytestmark = pytest.mark.e2e
USER = FakeUser(31, "Wang")


@pytest.fixture
async def sender(standin: BotApiStandin, framework: str):  # type: ignore[no-untyped-def]
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_url=standin.base_url,
                        _env_file=None)
    async with framework_bot(framework, settings) as bot:
        yield sender_for(framework, bot)


async def test_long_reply_is_split_into_valid_messages_with_buttons_last(
    standin: BotApiStandin, sender: ReplySender
) -> None:
    standin.user_sends(USER, "hi")  # the chat exists
    body = "\n".join(f"<b>{n}</b> 客户拜访记录 &amp; notes {'很' * 60}" for n in range(150))
    await sender.deliver(None, USER.id, [Reply(body, buttons=[[Button("Open", "ct:1")]])])
    parts = standin.messages_to(USER.id)
    assert len(parts) >= 3
    assert all(len(p["message"]["text"]) <= 4096 for p in parts)
    assert [p["reply_markup"] is not None for p in parts] == [False] * (len(parts) - 1) + [True]
    joined = "".join(p["message"]["text"] for p in parts)
    assert joined.count("客户拜访记录") == 150


async def test_button_press_is_answered_and_edit_replaces_the_message(
    standin: BotApiStandin, sender: ReplySender
) -> None:
    standin.user_sends(USER, "hi")
    await sender.deliver(None, USER.id, [Reply("Pick one", buttons=[[Button("A", "lang:en")]])])
    shown = standin.sent[-1]
    update = standin.user_presses(USER, shown, "lang:en")
    query = update["callback_query"]
    req = ChatRequest(user_id=USER.id, chat_id=USER.id, kind=Kind.CALLBACK,
                      callback_data="lang:en", callback_id=query["id"],
                      message_id=shown["message_id"])
    await sender.deliver(req, USER.id, [Reply("Language set", edit=True, toast="OK")])
    assert standin.callback_answers[-1]["text"] == "OK"
    assert standin.sent[-1]["method"] == "editMessageText"
    assert standin.sent[-1]["message_id"] == shown["message_id"]
