"""The Bot API stand-in, exercised over real HTTP by the real PTB and aiogram clients."""

import asyncio
import datetime as dtm
import struct
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import telegram
from aiogram import Bot as AiogramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BufferedInputFile
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter

from tests.botapi_standin import BotApiStandin, FakeUser, parse_html
from tests.e2e.conftest import TOKEN

pytestmark = pytest.mark.e2e

ALICE = FakeUser(id=501, first_name="Alice", last_name="Li", username="alice", language_code="zh")


def png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def seconds(value: int | dtm.timedelta) -> float:
    """PTB 22 reports retry_after as int or timedelta depending on its settings."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture
async def ptb(standin: BotApiStandin) -> AsyncIterator[telegram.Bot]:
    """An initialised python-telegram-bot Bot pointed at the stand-in."""
    client = telegram.Bot(TOKEN, base_url=f"{standin.base_url}/bot",
                          base_file_url=f"{standin.base_url}/file/bot")
    async with client:
        yield client


async def raw_call(standin: BotApiStandin, method: str, token: str = TOKEN,
                   **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """POST to the stand-in with plain aiohttp; return status and decoded body."""
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{standin.base_url}/bot{token}/{method}", **kwargs) as r:
            return r.status, await r.json()


# ------------------------------------------------------------------------- raw protocol
async def test_envelope_errors_and_encodings(standin: BotApiStandin) -> None:
    assert await raw_call(standin, "getMe", token="1:WRONG") == (
        401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert await raw_call(standin, "fooBar") == (
        404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await raw_call(standin, "GETME")
    assert status == 200 and body["ok"] and body["result"]["username"] == "crm_test_bot"
    status, body = await raw_call(standin, "sendMessage", json={"chat_id": 7, "text": "json"})
    assert body["result"]["chat"] == {"id": 7, "first_name": "User 7", "type": "private"}
    assert isinstance(body["result"]["date"], int) and body["result"]["date"] <= time.time() + 1
    _, body = await raw_call(standin, "sendMessage", params={"chat_id": "7", "text": "query"})
    assert body["result"]["message_id"] == 2 and body["result"]["text"] == "query"
    _, body = await raw_call(standin, "sendMessage", data={"chat_id": "-1005", "text": "form"})
    assert body["result"]["chat"]["type"] == "supergroup"
    assert await raw_call(standin, "sendMessage", json={"text": "x"}) == (
        400, {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"})
    status, body = await raw_call(standin, "sendMessage", json={"chat_id": 7, "text": "  "})
    assert body["description"] == "Bad Request: message text is empty"


async def test_newer_get_updates_terminates_older_one(standin: BotApiStandin) -> None:
    first = asyncio.create_task(raw_call(standin, "getUpdates", json={"timeout": 5}))
    await asyncio.sleep(0.2)
    assert await raw_call(standin, "getUpdates", json={"timeout": 0}) == (
        200, {"ok": True, "result": []})
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409 and body["description"].startswith("Conflict: terminated by other")


async def test_strict_chats_and_injected_errors() -> None:
    strict = BotApiStandin(token=TOKEN, strict_chats=True)
    await strict.start()
    try:
        status, body = await raw_call(strict, "sendMessage", json={"chat_id": 501, "text": "x"})
        assert (status, body["description"]) == (
            403, "Forbidden: bot can't initiate conversation with a user")
        strict.user_sends(ALICE, "/start")
        status, _ = await raw_call(strict, "sendMessage", json={"chat_id": 501, "text": "x"})
        assert status == 200
        strict.fail_next("SendMessage", error_code=502)
        status, body = await raw_call(strict, "sendMessage", json={"chat_id": 501, "text": "x"})
        assert (status, body["description"]) == (502, "Bad Gateway")
        status, body = await raw_call(strict, "editMessageText", json={"chat_id": 501,
                                                                      "message_id": "abc"})
        assert status == 400 and body["description"].startswith("Bad Request:")
    finally:
        await strict.stop()


def test_html_parser_matches_telegram_rules() -> None:
    text, entities = parse_html('<b>Hi</b> &lt;3 <a href="https://x.org/?a=1&amp;b=2">x</a>')
    assert text == "Hi <3 x"
    assert entities == [{"type": "bold", "offset": 0, "length": 2},
                        {"type": "text_link", "offset": 6, "length": 1,
                         "url": "https://x.org/?a=1&b=2"}]
    assert parse_html("👍<i>é</i>")[1] == [{"type": "italic", "offset": 2, "length": 1}]
    assert parse_html('<pre><code class="language-sql">q</code></pre>')[1] == [
        {"type": "pre", "offset": 0, "length": 1, "language": "sql"}]


# ------------------------------------------------------------------ python-telegram-bot
async def test_ptb_get_me(ptb: telegram.Bot) -> None:
    me = await ptb.get_me()
    assert me.is_bot and me.id == 123456 and me.username == "crm_test_bot"
    assert me.can_join_groups is True and me.supports_inline_queries is False


async def test_ptb_long_poll_wakes_on_new_update_and_confirms(
    ptb: telegram.Bot, standin: BotApiStandin
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(ptb.get_updates(timeout=5))
    await asyncio.sleep(0.3)
    sent = standin.user_sends(ALICE, "/start@crm_test_bot hello")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 2
    assert [u.update_id for u in updates] == [sent["update_id"]] and sent["update_id"] >= 10000
    message = updates[0].message
    assert message.text == "/start@crm_test_bot hello" and message.chat.type == "private"
    assert message.from_user.language_code == "zh" and message.from_user.is_bot is False
    assert message.parse_entities(["bot_command"]).popitem()[1] == "/start@crm_test_bot"
    assert isinstance(message.date, dtm.datetime) and message.chat.username == "alice"

    again = await ptb.get_updates(offset=sent["update_id"], timeout=0)
    assert [u.update_id for u in again] == [sent["update_id"]]  # not confirmed yet
    await ptb.get_updates(offset=sent["update_id"] + 1, timeout=0)
    await standin.wait_confirmed(sent["update_id"], timeout=1)
    second = standin.user_sends(ALICE, "next")
    updates = await ptb.get_updates(offset=sent["update_id"], timeout=0)
    assert [u.update_id for u in updates] == [second["update_id"]]  # confirmed stays gone
    assert standin.get_updates_calls[-3:] == [sent["update_id"], sent["update_id"] + 1,
                                              sent["update_id"]]


async def test_ptb_long_poll_times_out_empty(ptb: telegram.Bot) -> None:
    started = time.monotonic()
    assert await ptb.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_ptb_send_html_with_keyboard_edit_and_callback(
    ptb: telegram.Bot, standin: BotApiStandin
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data="deal:1"),
                                      InlineKeyboardButton("Site", url="https://example.org")]])
    sent = await ptb.send_message(ALICE.id, "<b>Deal</b> &amp; co", parse_mode="HTML",
                                  reply_markup=keyboard)
    assert sent.text == "Deal & co" and sent.entities[0].type == "bold"
    assert sent.from_user.is_bot and sent.reply_markup == keyboard and sent.message_id == 1
    record = await standin.wait_for_sent(lambda s: s["method"] == "sendMessage", timeout=1)
    assert record["text"] == "<b>Deal</b> &amp; co" and record["parse_mode"] == "HTML"
    assert record["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "deal:1"
    assert standin.messages_to(ALICE.id) == [record]

    update = standin.user_presses(ALICE, record, "deal:1")
    [parsed] = await ptb.get_updates(timeout=1)
    query = parsed.callback_query
    assert query.data == "deal:1" and query.chat_instance and query.from_user.id == ALICE.id
    assert query.message.message_id == sent.message_id and query.message.text == "Deal & co"
    assert Update.de_json(update, ptb).callback_query.id == query.id
    assert await ptb.answer_callback_query(query.id, text="Opened", show_alert=True) is True
    assert standin.callback_answers[-1]["text"] == "Opened"
    assert standin.callback_answers[-1]["show_alert"] is True
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await ptb.answer_callback_query(query.id)

    edited = await ptb.edit_message_text("<i>Closed</i>", chat_id=ALICE.id,
                                         message_id=sent.message_id, parse_mode="HTML")
    assert isinstance(edited, telegram.Message) and edited.text == "Closed"
    assert edited.edit_date is not None and edited.reply_markup is None  # keyboard removed
    assert standin.sent[-1]["method"] == "editMessageText"
    with pytest.raises(ValueError, match="no button"):
        standin.user_presses(ALICE, record, "deal:1")
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await ptb.edit_message_text("<i>Closed</i>", chat_id=ALICE.id,
                                    message_id=sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await ptb.edit_message_text("x", chat_id=ALICE.id, message_id=999)
    restored = await ptb.edit_message_reply_markup(ALICE.id, sent.message_id,
                                                   reply_markup=keyboard)
    assert restored.reply_markup == keyboard and restored.text == "Closed"
    assert await ptb.delete_message(ALICE.id, sent.message_id) is True
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await ptb.delete_message(ALICE.id, sent.message_id)
    assert [s["method"] for s in standin.messages_to(ALICE.id)] == [
        "sendMessage", "editMessageText", "editMessageReplyMarkup", "deleteMessage"]


@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_ptb_validation_errors(ptb: telegram.Bot, standin: BotApiStandin) -> None:
    with pytest.raises(BadRequest, match='(?i)parse entities: unsupported start tag "p"'):
        await ptb.send_message(1, "<p>hi</p>", parse_mode="HTML")
    with pytest.raises(BadRequest, match='(?i)end tag corresponding to start tag "b"'):
        await ptb.send_message(1, "<b>hi", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await ptb.send_message(1, "x" * 4097)
    await ptb.send_message(1, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # tags don't count
    long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await ptb.send_message(1, "hi", reply_markup=long_data)
    standin.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await ptb.send_message(1, "hi")
    assert seconds(caught.value.retry_after) == 3
    assert (await ptb.send_message(1, "after flood")).text == "after flood"
    standin.block_chat(ALICE.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await ptb.send_message(ALICE.id, "hi")
    assert [s["text"] for s in standin.sent] == ["<b>" + "x" * 4096 + "</b>", "after flood"]
    with pytest.raises(TimeoutError, match="after flood"):
        await standin.wait_for_sent(lambda s: s["chat_id"] == 2, timeout=0.1)


async def test_ptb_wrong_token_is_invalid(standin: BotApiStandin) -> None:
    wrong = telegram.Bot("1:WRONG", base_url=f"{standin.base_url}/bot")
    with pytest.raises(InvalidToken):
        async with wrong:  # initialize() calls getMe, and shuts the client down on failure
            pass


async def test_ptb_files_both_directions(ptb: telegram.Bot, standin: BotApiStandin) -> None:
    doc = await ptb.send_document(ALICE.id, document=b"id,name\n1,Acme\n", filename="deals.csv",
                                  caption="<b>Export</b>", parse_mode="HTML")
    assert doc.document.file_name == "deals.csv" and doc.document.mime_type == "text/csv"
    assert doc.document.file_size == 15 and doc.caption == "Export"
    assert standin.sent[-1]["data"] == b"id,name\n1,Acme\n"
    assert standin.sent[-1]["filename"] == "deals.csv"
    photo = await ptb.send_photo(ALICE.id, photo=png(3, 2))
    assert (photo.photo[-1].width, photo.photo[-1].height) == (3, 2)
    assert standin.sent[-1]["method"] == "sendPhoto" and standin.sent[-1]["data"] == png(3, 2)
    again = await ptb.send_photo(ALICE.id, photo=photo.photo[-1].file_id)
    assert again.photo[-1].file_unique_id == photo.photo[-1].file_unique_id
    with pytest.raises(BadRequest, match="(?i)image_process_failed"):
        await ptb.send_photo(ALICE.id, photo=b"not an image")

    update = standin.user_sends_document(ALICE, "card.vcf", "text/vcard", b"BEGIN:VCARD")
    file = await ptb.get_file(update["message"]["document"]["file_id"])
    assert file.file_path and bytes(await file.download_as_bytearray()) == b"BEGIN:VCARD"


async def test_ptb_contact_and_location_updates(ptb: telegram.Bot, standin: BotApiStandin) -> None:
    standin.user_shares_contact(ALICE, "+8613800000000", "Alice", contact_user_id=ALICE.id)
    standin.user_shares_location(ALICE, 31.23, 121.47)
    contact, location = await ptb.get_updates(timeout=1)
    assert contact.message.contact.phone_number == "+8613800000000"
    assert contact.message.contact.user_id == ALICE.id
    assert location.message.location.latitude == pytest.approx(31.23)
    assert location.message.message_id == contact.message.message_id + 1


async def test_ptb_commands_per_language(ptb: telegram.Bot, standin: BotApiStandin) -> None:
    assert await ptb.set_my_commands([("start", "Start"), ("deals", "Deals")]) is True
    assert await ptb.set_my_commands([("start", "开始")], language_code="zh") is True
    zh = await ptb.get_my_commands(language_code="zh")
    assert [(c.command, c.description) for c in zh] == [("start", "开始")]
    assert [c.command for c in await ptb.get_my_commands()] == ["start", "deals"]
    assert await ptb.get_my_commands(language_code="en") == ()
    assert standin.commands_for("zh") == [{"command": "start", "description": "开始"}]
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await ptb.set_my_commands([("Start", "Upper case")])
    assert await ptb.delete_my_commands(language_code="zh") is True
    assert standin.commands_for("zh") == []


async def test_ptb_webhook_delivery_with_secret_and_retry(
    ptb: telegram.Bot, standin: BotApiStandin
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def receiver(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                         await request.json()))
        return web.Response(status=500 if len(received) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", receiver)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    standin.webhook_retry_delay = 0.05
    try:
        assert await ptb.set_webhook(url, secret_token="s3cret_TOKEN-1") is True
        update = standin.user_sends(ALICE, "via webhook")
        await standin.wait_confirmed(update["update_id"], timeout=3)
        assert [secret for secret, _ in received] == ["s3cret_TOKEN-1"] * 2
        assert received[1][1] == update
        assert [d["status"] for d in standin.webhook_deliveries] == [500, 200]
        info = await ptb.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        assert "500" in info.last_error_message
        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await ptb.get_updates()
        assert await ptb.delete_webhook() is True
        assert (await ptb.get_webhook_info()).url == ""
        assert await ptb.get_updates(timeout=0) == ()
    finally:
        await runner.cleanup()


# -------------------------------------------------------------------------------- aiogram
async def test_aiogram_round_trip(standin: BotApiStandin) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(standin.base_url))
    bot = AiogramBot(TOKEN, session=session)
    try:
        me = await bot.get_me()
        assert me.is_bot and me.username == "crm_test_bot"
        first = standin.user_sends(ALICE, "/help")
        standin.user_sends(ALICE, "second")
        updates = await bot.get_updates(offset=first["update_id"] + 1, timeout=1)
        assert [u.message.text for u in updates] == ["second"]
        assert standin.confirmed_offset == first["update_id"] + 1
        sent = await bot.send_message(ALICE.id, "<b>Hi</b>", parse_mode="HTML")
        assert sent.text == "Hi" and sent.from_user.is_bot
        edited = await bot.edit_message_text("Bye", chat_id=ALICE.id, message_id=sent.message_id)
        assert edited.text == "Bye" and edited.message_id == sent.message_id
        photo = await bot.send_photo(ALICE.id, photo=BufferedInputFile(png(4, 4), "p.png"))
        assert photo.photo[-1].width == 4
        assert [s["method"] for s in standin.sent] == ["sendMessage", "editMessageText",
                                                       "sendPhoto"]
    finally:
        await bot.session.close()

