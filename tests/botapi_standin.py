"""An in-memory stand-in for the Telegram Bot API, served over real HTTP for end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import re
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import aiohttp
from aiohttp import web

Json = dict[str, Any]
TAG_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "a": "text_link", "code": "code", "pre": "pre", "span": "spoiler", "tg-spoiler": "spoiler",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
TAG_NAME_RE = re.compile(r"<([^\s>]*)")
START_TAG_RE = re.compile(
    r"""<[^\s>]*((?:\s+[^\s=>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?)*)\s*>"""
)
ATTR_RE = re.compile(r"""([^\s=>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")
BUTTON_ACTIONS = {
    "url", "callback_data", "web_app", "login_url", "switch_inline_query", "pay", "copy_text",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class FakeUser:
    """A human Telegram account the tests act as."""

    id: int
    first_name: str
    last_name: str = ""
    username: str | None = None
    language_code: str = "en"

    def as_dict(self) -> Json:
        """The User object as Telegram serialises it (absent fields omitted)."""
        d: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        d |= {"last_name": self.last_name} if self.last_name else {}
        d |= {"username": self.username} if self.username else {}
        return d | {"language_code": self.language_code}

    def chat(self) -> Json:
        """The Chat object of the private chat with this user."""
        d = self.as_dict()
        return {k: d[k] for k in ("id", "first_name", "last_name", "username") if k in d} | {
            "type": "private"
        }


def u16(s: str) -> int:
    """Length of ``s`` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(s.encode("utf-16-le")) // 2


def _html_error(msg: str) -> ApiError:
    """The error Telegram gives for malformed parse_mode=HTML text."""
    return ApiError(400, f"Bad Request: can't parse entities: {msg}")


def _unescape(text: str) -> str:
    """Decode the HTML entities Telegram supports; anything else stays literal."""

    def one(m: re.Match[str]) -> str:
        if m[3] is not None:
            return NAMED_ENTITIES.get(m[3], m[0])
        code = int(m[1]) if m[1] else int(m[2], 16)
        return chr(code) if 0 < code <= 0x10FFFF else m[0]

    return ENTITY_RE.sub(one, text)


def parse_html(text: str) -> tuple[str, list[Json]]:
    """Parse Telegram-flavoured HTML into plain text and entities, like parse_mode=HTML."""
    out: list[str] = []
    stack: list[tuple[str, int, Json]] = []
    entities: list[Json] = []
    i = pos = 0
    while i < len(text):
        if text[i] != "<":
            end = text.find("<", i)
            end = len(text) if end < 0 else end
            out.append(_unescape(text[i:end]))
            pos, i = pos + u16(out[-1]), end
            continue
        at = len(text[:i].encode())
        if not text.startswith("</", i):
            name, m = TAG_NAME_RE.match(text, i)[1].lower(), START_TAG_RE.match(text, i)  # type: ignore[index]
            if name not in TAG_TYPES:
                raise _html_error(f'Unsupported start tag "{name}" at byte offset {at}')
            if not m:
                raise _html_error(f"Unclosed start tag at byte offset {at}")
            attrs = {k.lower(): _unescape(a or b or c) for k, a, b, c in ATTR_RE.findall(m[1])}
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise _html_error('Tag "span" must have class "tg-spoiler"')
            stack.append((name, pos, attrs))
            i = m.end()
            continue
        end = text.find(">", i)
        if end < 0:
            raise _html_error(f"Unclosed end tag at byte offset {at}")
        name, i = text[i + 2 : end].strip().lower(), end + 1
        if not stack:
            raise _html_error(f"Unexpected end tag at byte offset {at}")
        if name != stack[-1][0]:
            raise _html_error(f'Unmatched end tag at byte offset {at}, expected '
                              f'"</{stack[-1][0]}>", found "</{name}>"')
        tag, start, attrs = stack.pop()
        lang = attrs.get("class", "")
        if tag == "code" and stack and stack[-1][0] == "pre" and lang.startswith("language-"):
            stack[-1][2]["language"] = lang.removeprefix("language-")
            continue
        entity: Json = {"type": TAG_TYPES[tag], "offset": start, "length": pos - start}
        if tag == "a":
            entity["url"] = attrs.get("href")
        elif tag == "pre" and attrs.get("language"):
            entity["language"] = attrs["language"]
        elif tag == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attrs.get("emoji-id", "")
        if entity["length"] > 0 and (tag != "a" or entity["url"]):
            entities.append(entity)
    if stack:
        raise _html_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _trim(text: str, entities: list[Json]) -> tuple[str, list[Json]]:
    """Strip surrounding whitespace like Telegram does, clipping entities to the new text."""
    left, text = u16(text) - u16(text.lstrip()), text.strip()
    kept = []
    for e in entities:
        start, end = max(e["offset"] - left, 0), min(e["offset"] - left + e["length"], u16(text))
        kept += [{**e, "offset": start, "length": end - start}] if end > start else []
    return text, kept


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG image, or None if the bytes are not one."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    i = 2 if data[:2] == b"\xff\xd8" else len(data)
    while i + 9 < len(data) and data[i] == 0xFF:
        if data[i + 1] in b"\xc0\xc1\xc2\xc3\xc5\xc6\xc7\xc9\xca\xcb\xcd\xce\xcf":
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def _json(value: Any) -> Any:
    """Decode a JSON-encoded form field; values from a JSON body pass through."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def _bool(value: Any) -> bool:
    """Interpret a Bot API boolean parameter in any of the encodings clients use."""
    return value in (True, 1, "true", "True", "1")


class BotApiStandin:
    """A local HTTP server speaking the Telegram Bot API, with helpers to act as users."""

    def __init__(self, token: str = "123456:TEST-TOKEN", username: str = "crm_test_bot",
                 strict_chats: bool = False) -> None:
        """``strict_chats``: sends to private chats that never wrote to the bot answer 403."""
        self.token, self.strict_chats, self.base_url = token, strict_chats, ""
        self.bot_user: Json = {"id": int(token.split(":")[0]), "is_bot": True,
                               "first_name": "CRM Test Bot", "username": username}
        self.sent: list[Json] = []  # sends, edits and deletions, in order
        self.calls: list[tuple[str, Json]] = []  # every API call with its decoded parameters
        self.call_times: list[tuple[str, float]] = []  # every API call with time.monotonic()
        self.callback_answers: list[Json] = []
        self.webhook_deliveries: list[Json] = []
        self.get_updates_calls: list[int] = []  # the offset of every getUpdates call
        self.updates: list[Json] = []  # every update ever queued
        self.pending: list[Json] = []  # updates not yet confirmed
        self.messages: dict[tuple[int, int], Json] = {}  # (chat_id, message_id) -> Message
        self.files: dict[str, Json] = {}
        self.commands: dict[tuple[str, str], list[Json]] = {}  # (scope JSON, language_code)
        self.chats: dict[int, Json] = {}  # chats whose users wrote to the bot
        self.blocked: set[int] = set()
        self.confirmed_offset = 0
        self.webhook: Json = {"url": ""}
        self.webhook_retry_delay = 0.2
        self._failures: dict[str, list[ApiError]] = {}
        self._open_queries: set[str] = set()
        self._msg_ids: dict[int, int] = {}
        self._update_seq, self._file_seq = itertools.count(10000), itertools.count(1)
        self._query_seq = itertools.count(4_242_000_000_000_000_001)
        self._poll_id, self._closing, self._event = 0, False, asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        names = ("getMe getUpdates sendMessage editMessageText editMessageReplyMarkup "
                 "deleteMessage answerCallbackQuery sendPhoto sendDocument getFile sendChatAction "
                 "setMyCommands getMyCommands deleteMyCommands setWebhook deleteWebhook "
                 "getWebhookInfo").split()
        self._methods: dict[str, tuple[str, Callable[[Json], Awaitable[Any]]]] = {
            n.lower(): (n, getattr(self, re.sub("([A-Z]|^)", r"_\1", n).lower())) for n in names
        }

    # ----------------------------------------------------------------- server lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on ``host:port`` (0 picks a free port) and set ``base_url``."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.base_url = f"http://{host}:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        """Stop webhook delivery, release long polls and shut the server down."""
        self._closing = True
        await self._stop_webhook()
        self._wake()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    def _wake(self) -> None:
        """Wake every long poll and webhook worker waiting for a change."""
        self._event.set()
        self._event = asyncio.Event()

    @staticmethod
    def _answer(code: int, description: str, parameters: Json | None = None) -> web.Response:
        """An error response in Telegram's envelope."""
        body = {"ok": False, "error_code": code, "description": description}
        return web.json_response(body | ({"parameters": parameters} if parameters else {}),
                                 status=code)

    async def _handle(self, request: web.Request) -> web.Response:
        """Dispatch one Bot API call (method name case-insensitive) and answer like Telegram."""
        if request.match_info["token"] != self.token:
            return self._answer(401, "Unauthorized")
        key = request.match_info["method"].lower()
        if key not in self._methods:
            return self._answer(404, "Not Found")
        name, handler = self._methods[key]
        params: Json = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            params.update(await request.json())
        elif request.can_read_body:
            params.update(await request.post())
        self.calls.append((name, params))
        self.call_times.append((name, time.monotonic()))
        try:
            if self._failures.get(key):
                raise self._failures[key].pop(0)
            return web.json_response({"ok": True, "result": await handler(params)})
        except ApiError as e:
            return self._answer(e.code, e.description, e.parameters)
        except (ValueError, TypeError, KeyError, AttributeError) as e:  # malformed parameters
            return self._answer(400, f"Bad Request: invalid parameters ({e!r})")

    async def _download(self, request: web.Request) -> web.Response:
        """Serve a stored file, as api.telegram.org/file/bot<TOKEN>/<file_path> does."""
        path = request.match_info["path"]
        for f in self.files.values():
            if request.match_info["token"] == self.token and f["file_path"] == path:
                return web.Response(body=f["data"], content_type="application/octet-stream")
        return self._answer(404, "Not Found")

    # ---------------------------------------------------------------- test controls
    def fail_next(self, method: str, error_code: int = 429, retry_after: int | None = None,
                  description: str | None = None) -> None:
        """Make the next call of ``method`` fail with ``error_code`` (429 = flood control)."""
        params = None
        if error_code == 429:
            params = {"retry_after": 5 if retry_after is None else retry_after}
            description = description or f"Too Many Requests: retry after {params['retry_after']}"
        error = ApiError(error_code, description or HTTPStatus(error_code).phrase, params)
        self._failures.setdefault(method.lower(), []).append(error)

    def block_chat(self, chat_id: int) -> None:
        """Act as if the user blocked the bot: every write to ``chat_id`` answers 403."""
        self.blocked.add(chat_id)

    def messages_to(self, chat_id: int) -> list[Json]:
        """All recorded sends, edits and deletions in ``chat_id``."""
        return [s for s in self.sent if s["chat_id"] == chat_id]

    async def wait_for_sent(self, predicate: Callable[[Json], bool] | None = None,
                            timeout: float = 30.0, start: int = 0) -> Json:
        """First record in ``sent`` with index >= ``start`` matching ``predicate``."""
        deadline = time.monotonic() + timeout
        while True:
            for record in self.sent[start:]:
                if predicate is None or predicate(record):
                    return record
            if time.monotonic() >= deadline:
                seen = "\n".join(f"  [{n}] {s['method']} chat={s['chat_id']} {s['text'][:120]!r}"
                                 for n, s in enumerate(self.sent) if n >= start)
                raise TimeoutError(f"nothing matching sent within {timeout}s; sent since "
                                   f"[{start}]:\n{seen or '  (nothing)'}")
            await asyncio.sleep(0.01)

    async def wait_confirmed(self, update_id: int, timeout: float = 30.0) -> None:
        """Wait until the bot confirmed ``update_id`` (getUpdates offset or webhook 2xx)."""
        deadline = time.monotonic() + timeout
        while self.confirmed_offset <= update_id:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"update {update_id} not confirmed within {timeout}s; last "
                                   f"getUpdates offsets: {self.get_updates_calls[-10:]}")
            await asyncio.sleep(0.01)

    def commands_for(self, language_code: str = "", scope: Json | None = None) -> list[Json]:
        """The commands the bot set for ``scope`` (None = default) and ``language_code``."""
        return self.commands.get(self._commands_key({"scope": scope, "language_code":
                                                     language_code}), [])

    # ------------------------------------------------------------------- user side
    def user_sends(self, user: FakeUser, text: str, chat_id: int | None = None) -> Json:
        """The user writes ``text``; a leading /command gets its bot_command entity."""
        extra: Json = {}
        if m := re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?", text):
            extra["entities"] = [{"type": "bot_command", "offset": 0, "length": u16(m[0])}]
        return self._user_message(user, chat_id, text=text, **extra)

    def user_shares_contact(self, user: FakeUser, phone_number: str, first_name: str,
                            last_name: str = "", contact_user_id: int | None = None) -> Json:
        """The user shares a contact card (their own when ``contact_user_id == user.id``)."""
        contact: Json = {"phone_number": phone_number, "first_name": first_name}
        contact |= {"last_name": last_name} if last_name else {}
        contact |= {"user_id": contact_user_id} if contact_user_id is not None else {}
        return self._user_message(user, None, contact=contact)

    def user_shares_location(self, user: FakeUser, latitude: float, longitude: float) -> Json:
        """The user shares a map point."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(user, None, location=location)

    def user_sends_document(self, user: FakeUser, file_name: str, mime_type: str,
                            content: bytes, caption: str | None = None) -> Json:
        """The user uploads a file; the bot can fetch it through getFile and /file/bot..."""
        document = self._store_file(content, "document", file_name, mime_type)
        return self._user_message(user, None, document=document,
                                  **({"caption": caption} if caption else {}))

    def user_presses(self, user: FakeUser, message: Json, callback_data: str) -> Json:
        """The user taps an inline button; ``message`` is a ``sent`` record or a Message."""
        if "method" in message and "message" in message:
            message = message["message"]
        current = self.messages.get((message["chat"]["id"], message["message_id"]), message)
        rows = current.get("reply_markup", {}).get("inline_keyboard", [])
        buttons = [b.get("callback_data") for row in rows for b in row]
        if callback_data not in buttons:
            raise ValueError(f"message {current['message_id']} has no button {callback_data!r}"
                             f" (its buttons now: {buttons})")
        query_id = str(next(self._query_seq))
        self._open_queries.add(query_id)
        self.chats.setdefault(user.id, user.chat())
        query = {"id": query_id, "from": user.as_dict(), "message": current, "data": callback_data,
                 "chat_instance": str(-7_000_000_000 - abs(current["chat"]["id"]))}
        return self._queue({"callback_query": query})

    def _user_message(self, user: FakeUser, chat_id: int | None, **content: Any) -> Json:
        """Store a message from ``user`` and queue it as an update."""
        if chat_id is None or chat_id == user.id:
            chat = self.chats.setdefault(user.id, user.chat())
        else:
            chat = self.chats.setdefault(chat_id, self._chat(chat_id))
        msg = {"message_id": self._next_id(chat["id"]), "from": user.as_dict(), "chat": chat,
               "date": int(time.time()), **content}
        self.messages[(chat["id"], msg["message_id"])] = msg
        return self._queue({"message": msg})

    def _queue(self, payload: Json) -> Json:
        """Append a new update to the pending queue and wake whoever waits for it."""
        update = {"update_id": next(self._update_seq), **payload}
        self.updates.append(update)
        self.pending.append(update)
        self._wake()
        return update

    # ------------------------------------------------------------------ bot-side helpers
    def _next_id(self, chat_id: int) -> int:
        """Next message_id in ``chat_id``; both sides of a chat share one sequence."""
        self._msg_ids[chat_id] = self._msg_ids.get(chat_id, 0) + 1
        return self._msg_ids[chat_id]

    def _chat(self, chat_id: int) -> Json:
        """The Chat object for ``chat_id``, inventing a plausible one for unseen chats."""
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "first_name": f"User {chat_id}", "type": "private"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "title": f"Test group {chat_id}", "type": kind}

    def _target(self, p: Json) -> int:
        """Validate ``chat_id`` the way Telegram does for a method that writes to a chat."""
        if p.get("chat_id") in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(p["chat_id"])
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user" if chat_id > 0
                           else "Forbidden: bot was kicked from the group chat")
        if self.strict_chats and chat_id > 0 and chat_id not in self.chats:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat_id

    def _render(self, p: Json, field: str, limit: int) -> tuple[str, list[Json]]:
        """Apply parse_mode and length rules to ``text``/``caption``: plain text + entities."""
        text, mode = str(p.get(field) or ""), str(p.get("parse_mode") or "").lower()
        if mode not in ("", "html", "markdown", "markdownv2"):
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        plain, entities = _trim(*(parse_html(text) if mode == "html" else (text, [])))
        if field == "text" and not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > limit:
            raise ApiError(400, "Bad Request: message is too long" if field == "text"
                           else "Bad Request: message caption is too long")
        return plain, entities

    @staticmethod
    def _markup(p: Json) -> Json | None:
        """Decode and validate reply_markup, checking inline buttons like Telegram."""
        markup = _json(p.get("reply_markup"))
        if markup in (None, ""):
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for button in itertools.chain(*markup.get("inline_keyboard", [])):
            if not BUTTON_ACTIONS & button.keys():
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: "
                               "Text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _new_message(self, p: Json, method: str, **content: Any) -> Json:
        """Store, record and return a Message the bot sends to ``chat_id``."""
        chat_id, markup = self._target(p), self._markup(p)
        reply = _json(p.get("reply_parameters")) or {}
        reply_id = int(reply.get("message_id") or p.get("reply_to_message_id") or 0)
        msg: Json = {"message_id": 0, "from": self.bot_user, "chat": self._chat(chat_id),
                     "date": int(time.time()), **{k: v for k, v in content.items() if v}}
        if (chat_id, reply_id) in self.messages:
            msg["reply_to_message"] = self.messages[(chat_id, reply_id)]
        elif reply_id and not _bool(reply.get("allow_sending_without_reply")):
            raise ApiError(400, "Bad Request: message to be replied not found")
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        msg["message_id"] = self._next_id(chat_id)
        self.messages[(chat_id, msg["message_id"])] = msg
        self._record(method, p, msg, markup)
        return msg

    def _record(self, method: str, p: Json, msg: Json | None, markup: Json | None) -> None:
        """Append one bot action to ``sent`` for the tests to inspect."""
        self.sent.append({
            "method": method, "chat_id": int(p["chat_id"]),
            "message_id": msg["message_id"] if msg else int(p.get("message_id") or 0),
            "text": str(p.get("text") or p.get("caption") or ""),
            "parse_mode": p.get("parse_mode"), "reply_markup": markup, "message": msg,
            "timestamp": time.monotonic(),
        })

    def _store_file(self, data: bytes, kind: str, file_name: str | None = None,
                    mime_type: str | None = None) -> Json:
        """Keep uploaded bytes; return the Document (or PhotoSize base) describing them."""
        n = next(self._file_seq)
        ext = ".jpg" if kind == "photo" else "." + (file_name or "").rpartition(".")[2]
        meta: Json = {"file_id": f"{kind[:2].upper()}ACAgIAAxkB{n:06d}",
                      "file_unique_id": f"AQAD{n:04d}", "file_size": len(data)}
        if kind == "document":
            meta["file_name"] = file_name or f"file_{n}"
            meta["mime_type"] = (mime_type or mimetypes.guess_type(meta["file_name"])[0]
                                 or "application/octet-stream")
        path = f"{kind}s/file_{n}{ext if len(ext) > 1 else ''}"
        self.files[meta["file_id"]] = {**meta, "data": data, "file_path": path}
        return meta

    def _upload(self, p: Json, field: str) -> tuple[bytes | None, str | None, Json | None]:
        """Resolve an InputFile parameter: upload, ``attach://name`` or a known file_id."""
        value = p.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value.removeprefix("attach://"))
        if isinstance(value, web.FileField):
            return value.file.read(), value.filename, None
        if isinstance(value, str) and value in self.files:
            return None, None, self.files[value]
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified" if value
                       else f"Bad Request: there is no {field} in the request")

    # ------------------------------------------------------------------ API methods
    async def _get_me(self, p: Json) -> Json:
        """getMe: the bot's own User with its capabilities."""
        return self.bot_user | {"can_join_groups": True, "can_read_all_group_messages": False,
                                "supports_inline_queries": False}

    async def _get_updates(self, p: Json) -> list[Json]:
        """getUpdates: confirm below ``offset`` and long-poll up to ``timeout`` seconds."""
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                           "use deleteWebhook to delete the webhook first")
        offset, limit = int(p.get("offset") or 0), int(p.get("limit") or 100)
        self.get_updates_calls.append(offset)
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            self.confirmed_offset = max(self.confirmed_offset, offset)
        elif offset < 0:
            self.pending = self.pending[offset:]
        self._poll_id += 1
        me, deadline = self._poll_id, time.monotonic() + float(p.get("timeout") or 0)
        self._wake()  # a newer getUpdates ends any older one with 409, as on Telegram
        while not self.pending and not self._closing and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), deadline - time.monotonic())
            if self._poll_id != me:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                               "make sure that only one bot instance is running")
        return self.pending[: max(1, min(limit, 100))]

    async def _send_message(self, p: Json) -> Json:
        """sendMessage: validate text, parse_mode and keyboard; return the Message."""
        self._target(p)
        text, entities = self._render(p, "text", 4096)
        return self._new_message(p, "sendMessage", text=text, entities=entities)

    async def _send_photo(self, p: Json) -> Json:
        """sendPhoto: an uploaded PNG/JPEG or a known file_id, with optional caption."""
        return await self._send_file(p, "photo")

    async def _send_document(self, p: Json) -> Json:
        """sendDocument: an uploaded file or a known file_id, with optional caption."""
        return await self._send_file(p, "document")

    async def _send_file(self, p: Json, kind: str) -> Json:
        """Shared body of sendPhoto and sendDocument; the record gets data and filename."""
        self._target(p)
        caption, entities = self._render(p, "caption", 1024)
        data, filename, known = self._upload(p, kind)
        if known is None and kind == "photo":
            if (size := image_size(data or b"")) is None:
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            known = self._store_file(data or b"", kind) | {"width": size[0], "height": size[1]}
            self.files[known["file_id"]] |= known
        known = known or self._store_file(data or b"", kind, filename)
        keys = ("file_id", "file_unique_id", "file_size", "width", "height", "file_name",
                "mime_type")
        media = {k: known[k] for k in keys if k in known}
        msg = self._new_message(p, "send" + kind.title(), caption=caption,
                                caption_entities=entities,
                                **{kind: [media] if kind == "photo" else media})
        self.sent[-1] |= {"data": data, "filename": filename}
        return msg

    def _editable(self, p: Json) -> tuple[tuple[int, int], Json]:
        """Find the bot's own message named by chat_id/message_id for an edit."""
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the stand-in")
        key = (self._target(p), int(p.get("message_id") or 0))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        if self.messages[key]["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return key, self.messages[key]

    def _apply_edit(self, key: tuple[int, int], new: Json, p: Json, method: str) -> Json:
        """Store an edit (omitting reply_markup removes the keyboard), record and return it."""
        old, markup = self.messages[key], self._markup(p)
        new = {k: v for k, v in new.items() if v and k != "reply_markup"}
        new["edit_date"] = int(time.time())
        if markup and "inline_keyboard" in markup:
            new["reply_markup"] = markup
        if all(new.get(k) == old.get(k) for k in ("text", "entities", "reply_markup")):
            raise ApiError(400, NOT_MODIFIED)
        self.messages[key] = new
        self._record(method, p, new, markup)
        return new

    async def _edit_message_text(self, p: Json) -> Json:
        """editMessageText: returns the edited Message."""
        key, old = self._editable(p)
        if "text" not in old:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._render(p, "text", 4096)
        return self._apply_edit(key, old | {"text": text, "entities": entities}, p,
                                "editMessageText")

    async def _edit_message_reply_markup(self, p: Json) -> Json:
        """editMessageReplyMarkup: replace or (when omitted) remove the inline keyboard."""
        key, old = self._editable(p)
        return self._apply_edit(key, old, p, "editMessageReplyMarkup")

    async def _delete_message(self, p: Json) -> bool:
        """deleteMessage: forget the message and record the deletion."""
        if self.messages.pop((self._target(p), int(p.get("message_id") or 0)), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        self._record("deleteMessage", p, None, None)
        return True

    async def _answer_callback_query(self, p: Json) -> bool:
        """answerCallbackQuery: each query can be answered once."""
        query_id = str(p.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired "
                           "or query ID is invalid")
        if len(str(p.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        self.callback_answers.append({
            "callback_query_id": query_id, "text": p.get("text"), "url": p.get("url"),
            "show_alert": _bool(p.get("show_alert")), "timestamp": time.monotonic(),
        })
        return True

    async def _get_file(self, p: Json) -> Json:
        """getFile: the File object with the file_path to download from."""
        if (f := self.files.get(str(p.get("file_id") or ""))) is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {k: f[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    async def _send_chat_action(self, p: Json) -> bool:
        """sendChatAction: accepted and forgotten."""
        self._target(p)
        return True

    @staticmethod
    def _commands_key(p: Json) -> tuple[str, str]:
        """Commands are stored per (scope, language_code), as on Telegram."""
        scope = _json(p.get("scope")) or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    async def _set_my_commands(self, p: Json) -> bool:
        """setMyCommands: validate names and descriptions, store per scope and language."""
        commands = _json(p.get("commands"))
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, p: Json) -> list[Json]:
        """getMyCommands: exactly the list stored for this scope and language (no fallback)."""
        return self.commands.get(self._commands_key(p), [])

    async def _delete_my_commands(self, p: Json) -> bool:
        """deleteMyCommands."""
        self.commands.pop(self._commands_key(p), None)
        return True

    # -------------------------------------------------------------------- webhooks
    async def _set_webhook(self, p: Json) -> bool:
        """setWebhook: start POSTing pending updates to ``url`` (http allowed for tests)."""
        url, secret = str(p.get("url") or ""), str(p.get("secret_token") or "")
        if url and not url.startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for "
                           "webhook")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        await self._delete_webhook(p)
        self.webhook = {"url": url}
        if url:
            self._webhook_task = asyncio.create_task(self._deliver_webhooks(url, secret))
        return True

    async def _delete_webhook(self, p: Json) -> bool:
        """deleteWebhook: stop delivering; pending updates stay unless dropped."""
        await self._stop_webhook()
        self.webhook = {"url": ""}
        if _bool(p.get("drop_pending_updates")) and self.pending:
            self.confirmed_offset = max(self.confirmed_offset, self.pending[-1]["update_id"] + 1)
            self.pending = []
        return True

    async def _get_webhook_info(self, p: Json) -> Json:
        """getWebhookInfo: url, pending count and the last delivery error, if any."""
        return self.webhook | {"has_custom_certificate": False,
                               "pending_update_count": len(self.pending)}

    async def _stop_webhook(self) -> None:
        """Cancel the delivery worker, if any."""
        if self._webhook_task:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None

    async def _deliver_webhooks(self, url: str, secret: str) -> None:
        """POST pending updates one at a time, in order, retrying each until a 2xx answer."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while not self._closing:
                if not self.pending:
                    await self._event.wait()
                    continue
                update, status, error = self.pending[0], None, None
                try:
                    async with session.post(url, json=update, headers=headers) as response:
                        status = response.status
                except (aiohttp.ClientError, TimeoutError) as e:
                    error = f"Connection failed: {e!r}"
                if status is not None and not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
                self.webhook_deliveries.append({"update_id": update["update_id"], "url": url,
                                                "status": status, "error": error,
                                                "timestamp": time.monotonic()})
                if error is None:
                    self.pending = [u for u in self.pending if u is not update]
                    self.confirmed_offset = max(self.confirmed_offset, update["update_id"] + 1)
                    continue
                self.webhook |= {"last_error_date": int(time.time()), "last_error_message": error}
                await asyncio.sleep(self.webhook_retry_delay)
