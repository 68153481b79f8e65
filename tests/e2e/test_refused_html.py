"""A reply whose HTML Telegram cannot parse goes out once more as plain text, on each
framework, against the stand-in (which refuses bad HTML with 400 like Telegram)."""

from __future__ import annotations

import pytest

from bot.delivery import ReplySender
from bot.send_errors import Refused
from bot.settings import Settings
from handlers.types import Button, Reply
from tests.botapi_standin import BotApiStandin, FakeUser
from tests.e2e.conftest import TOKEN
from tests.e2e.frameworks import framework_bot, sender_for

pytestmark = pytest.mark.e2e
USER = FakeUser(41, "Li")


@pytest.fixture
async def sender(standin: BotApiStandin, framework: str):  # type: ignore[no-untyped-def]
    settings = Settings(telegram_bot_token=TOKEN, telegram_api_url=standin.base_url,
                        _env_file=None)
    async with framework_bot(framework, settings) as bot:
        yield sender_for(framework, bot)


def sends(standin: BotApiStandin, method: str) -> list[dict]:
    return [params for name, params in standin.calls if name == method]


async def test_a_reply_with_bad_html_is_sent_once_more_as_plain_text(
    standin: BotApiStandin, sender: ReplySender
) -> None:
    standin.user_sends(USER, "hi")
    await sender.deliver(None, USER.id, [Reply("<member> owns <b>Acme & Co</b>",
                                               buttons=[[Button("Open", "ct:1")]])])
    attempts = sends(standin, "sendMessage")
    assert len(attempts) == 2 and attempts[0].get("parse_mode") == "HTML"
    assert not attempts[1].get("parse_mode")
    (shown,) = standin.messages_to(USER.id)
    assert shown["message"]["text"] == "owns Acme & Co"
    assert shown["reply_markup"] is not None  # the buttons survive


async def test_a_caption_with_bad_html_is_sent_once_more_as_plain_text(
    standin: BotApiStandin, sender: ReplySender
) -> None:
    standin.user_sends(USER, "hi")
    await sender.deliver(None, USER.id, [Reply("<i>report</x>", document=b"a,b\n1,2\n",
                                               filename="r.csv")])
    (shown,) = standin.messages_to(USER.id)
    assert shown["method"] == "sendDocument" and shown["message"]["caption"] == "report"
    assert len(sends(standin, "sendDocument")) == 2


async def test_a_reply_refused_as_html_and_as_plain_text_is_given_up_after_two_sends(
    standin: BotApiStandin, sender: ReplySender
) -> None:
    standin.user_sends(USER, "hi")
    with pytest.raises(Refused):
        await sender.deliver(None, USER.id, [Reply("<x> </x>")])  # plain text is empty
    assert len(sends(standin, "sendMessage")) == 2 and standin.messages_to(USER.id) == []
