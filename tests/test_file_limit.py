"""Files over the size limit are refused in the user's language, before any download."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from bot.processor import UpdateProcessor
from crm_store.records.import_files import MAX_BYTES
from handlers.context import HandlerSettings
from handlers.types import ChatRequest, Reply
from tests.builders import make_admin

ADMIN_ID = 1001
SETTINGS = HandlerSettings(admin_ids=frozenset({ADMIN_ID}), bot_username="crm_test_bot")
SIX_MB = 6 * 1024 * 1024


class DownloadingSender:
    """Records replies, and every file it was asked to download."""

    def __init__(self) -> None:
        self.delivered: list[Reply] = []
        self.downloads: list[str] = []

    async def deliver(self, req: ChatRequest | None, chat_id: int, replies: list[Reply]) -> None:
        self.delivered.extend(replies)

    async def download(self, file_id: str) -> bytes:
        self.downloads.append(file_id)
        return b"name\nSolo\n"


def document_update(update_id: int, size: int, language: str) -> dict[str, object]:
    """A private message carrying a contacts file of `size` bytes."""
    return {"update_id": update_id, "message": {
        "message_id": 5, "date": 1_790_000_000,
        "chat": {"id": ADMIN_ID, "type": "private"},
        "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Ada",
                 "language_code": language},
        "document": {"file_id": f"F{update_id}", "file_unique_id": f"U{update_id}",
                     "file_name": "客户.csv", "file_size": size}}}


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "The file is 6.0 MB; the limit is 5 MB."),
    ("zh-CN", "文件大小为 6.0 MB，上限为 5 MB。"),
])
async def test_a_file_over_the_limit_is_refused_without_downloading_it(
        sqlite_engine: Engine, language: str, expected: str) -> None:
    make_admin(sqlite_engine, language=language)
    sender = DownloadingSender()
    processor = UpdateProcessor(engine=sqlite_engine, settings=SETTINGS, sender=sender)
    assert processor.store(document_update(41, SIX_MB, language))
    await processor.process(41)
    assert sender.downloads == []  # never fetched from Telegram
    [reply] = sender.delivered
    assert reply.text.startswith(expected) and not reply.buttons


async def test_a_file_within_the_limit_is_downloaded_and_previewed(
        sqlite_engine: Engine) -> None:
    make_admin(sqlite_engine)
    sender = DownloadingSender()
    processor = UpdateProcessor(engine=sqlite_engine, settings=SETTINGS, sender=sender)
    assert processor.store(document_update(42, MAX_BYTES, "en"))
    await processor.process(42)
    assert sender.downloads == ["F42"]
    assert "Import preview" in sender.delivered[0].text
