"""A reply that could not be sent is sent again from the inbox, files included."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from bot.processor import UpdateProcessor
from handlers.context import HandlerSettings
from handlers.types import ChatRequest, Reply
from tests.builders import make_admin

ADMIN_ID = 1001
SETTINGS = HandlerSettings(admin_ids=frozenset({ADMIN_ID}), bot_username="crm_test_bot")
PNG = b"\x89PNG\r\n\x1a\n"
XLSX = b"PK\x03\x04"


class FlakySender:
    """Fails the first delivery (the network dropped), then records what it is given."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.delivered: list[Reply] = []

    async def deliver(self, req: ChatRequest | None, chat_id: int, replies: list[Reply]) -> None:
        if self.fail:
            raise ConnectionError("network down")
        self.delivered.extend(replies)


def report_update(update_id: int) -> dict[str, object]:
    text = "/report month"
    return {"update_id": update_id, "message": {
        "message_id": 5, "date": 1_790_000_000, "text": text,
        "chat": {"id": ADMIN_ID, "type": "private"},
        "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Ada", "language_code": "en"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 7}]}}


async def test_report_replayed_after_a_failed_send_keeps_its_charts_and_workbook(
    sqlite_engine: Engine,
) -> None:
    engine = sqlite_engine
    make_admin(engine)
    first = UpdateProcessor(engine=engine, settings=SETTINGS, sender=FlakySender(fail=True))
    assert first.store(report_update(77))
    with pytest.raises(ConnectionError):
        await first.process(77)  # handled and stored, not sent

    sender = FlakySender(fail=False)
    again = UpdateProcessor(engine=engine, settings=SETTINGS, sender=sender)
    await again.process(77)  # not handled twice: the stored replies are sent
    photos = [r for r in sender.delivered if r.photo]
    documents = [r for r in sender.delivered if r.document]
    assert len(photos) == 4 and all(r.photo.startswith(PNG) for r in photos)  # type: ignore
    assert len(documents) == 1 and documents[0].document.startswith(XLSX)  # type: ignore
    assert documents[0].filename and documents[0].filename.endswith(".xlsx")
