"""Raw Bot API updates become framework-free requests."""

from __future__ import annotations

from bot.updates import request_from_update
from handlers.types import Kind

USER = {"id": 42, "is_bot": False, "first_name": "Li", "language_code": "zh-hans"}
CHAT = {"id": 42, "type": "private"}


def message(**content: object) -> dict:
    return {"update_id": 7, "message": {"message_id": 3, "date": 0, "from": USER, "chat": CHAT,
                                        **content}}


def test_command_with_bot_mention_and_args() -> None:
    req = request_from_update(message(text="/Find@crm_bot 张 伟"), "crm_bot")
    assert req is not None and req.kind == Kind.COMMAND
    assert (req.command, req.args, req.update_id, req.language_code) == (
        "find", "张 伟", 7, "zh-hans")


def test_command_for_another_bot_is_ignored() -> None:
    assert request_from_update(message(text="/find@other_bot x"), "crm_bot") is None


def test_text_contact_location_document_and_media() -> None:
    assert request_from_update(message(text="hello")).kind == Kind.TEXT  # type: ignore[union-attr]
    contact = request_from_update(message(contact={"phone_number": "1", "first_name": "A"}))
    assert contact is not None and contact.payload["contact"]["phone_number"] == "1"
    location = request_from_update(message(location={"latitude": 1.0, "longitude": 2.0}))
    assert location is not None and location.kind == Kind.LOCATION
    sticker = request_from_update(message(sticker={"file_id": "x"}))
    assert sticker is not None and sticker.kind == Kind.DOCUMENT


def test_callback_query_carries_data_and_message() -> None:
    update = {"update_id": 8, "callback_query": {
        "id": "99", "from": USER, "chat_instance": "1", "data": "ct:5",
        "message": {"message_id": 11, "date": 0, "chat": CHAT, "text": "x"}}}
    req = request_from_update(update)
    assert req is not None and req.kind == Kind.CALLBACK
    assert (req.callback_data, req.callback_id, req.message_id, req.chat_id) == (
        "ct:5", "99", 11, 42)


def test_edits_and_membership_updates_are_ignored() -> None:
    assert request_from_update({"update_id": 9, "edited_message": {}}) is None
    assert request_from_update({"update_id": 9, "my_chat_member": {}}) is None
