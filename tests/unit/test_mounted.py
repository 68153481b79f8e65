"""Which updates the mounted assistant takes from a host bot, and which it leaves to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.mounted import MountedAssistant
from bot.settings import Settings

USER = {"id": 7, "is_bot": False, "first_name": "Ada"}
CHAT = {"id": 7, "type": "private"}


def message(**content: Any) -> dict[str, Any]:
    return {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": CHAT, "from": USER,
                                        **content}}


def press(data: str) -> dict[str, Any]:
    return {"update_id": 2, "callback_query": {"id": "9", "from": USER, "data": data,
                                               "message": {"message_id": 1, "chat": CHAT}}}


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> MountedAssistant:
    path: Path = tmp_path_factory.mktemp("mounted") / "crm.sqlite3"
    settings = Settings(database_url=f"sqlite:///{path}", bot_username="host_bot",
                        _env_file=None)
    return MountedAssistant(settings, reminders=False)


@pytest.mark.parametrize(("update", "taken"), [
    (message(text="/find zhang"), True),
    (message(text="/start abc"), True),
    (message(text="/find@host_bot zhang"), True),
    (message(text="/ping"), False),  # the host's own command
    (message(text="/find@other_bot zhang"), False),
    (message(text="called 张伟 about the quote"), True),
    (message(contact={"phone_number": "+8613800138000", "first_name": "Wei"}), True),
    (message(location={"latitude": 31.2, "longitude": 121.5}), True),
    (message(document={"file_id": "x", "file_unique_id": "y", "file_name": "a.csv"}), True),
    (press("lg:12"), True),
    (press("host:menu"), False),  # a button of the host bot
    ({"update_id": 3, "edited_message": {"message_id": 1, "chat": CHAT, "from": USER}}, False),
])
def test_assistant_takes_its_own_updates_and_leaves_the_host_its_own(
    crm: MountedAssistant, update: dict[str, Any], taken: bool
) -> None:
    assert crm.wants(update) is taken


def test_receiving_before_start_is_refused(crm: MountedAssistant) -> None:
    with pytest.raises(RuntimeError):
        crm.receive(message(text="/find zhang"))
