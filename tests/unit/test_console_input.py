"""The console answers a mistyped :location or :contact with a usage line, never a crash."""

from __future__ import annotations

import io

import pytest
from sqlalchemy.engine import Engine

from bot.console import Console
from handlers.context import HandlerSettings
from tests.builders import make_admin

SETTINGS = HandlerSettings(admin_ids=frozenset({1001}), bot_username="crm_test_bot")


def console(engine: Engine, language: str = "en") -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(engine=engine, settings=SETTINGS, user_id=1001, language_code=language,
                   out=out), out


@pytest.mark.parametrize("line", [":location abc", ":location", ":location 31.2",
                                  ":location 31.2 121.4 9", ":location 91 0", ":location nan 1",
                                  ":location 1 inf"])
async def test_a_mistyped_location_gets_the_usage_line(sqlite_engine: Engine, line: str) -> None:
    make_admin(sqlite_engine)
    chat, out = console(sqlite_engine)
    assert await chat.say(line) == []
    assert out.getvalue().strip() == (
        "usage: :location <latitude> <longitude>, e.g. :location 31.23 121.47")


async def test_a_contact_without_a_phone_gets_the_usage_line_in_chinese(
    sqlite_engine: Engine,
) -> None:
    make_admin(sqlite_engine, language="zh-CN")
    chat, out = console(sqlite_engine, "zh-CN")
    assert await chat.say(":contact") == []
    assert out.getvalue().startswith("用法：:contact <电话> <姓名>")


async def test_a_good_location_still_reaches_the_assistant(sqlite_engine: Engine) -> None:
    make_admin(sqlite_engine)
    chat, _out = console(sqlite_engine)
    assert await chat.say(":location 31.23 121.47")  # the check-in asks for the customer
