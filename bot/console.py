"""Chat with the assistant in a terminal: same handlers, same database, no Telegram."""

from __future__ import annotations

import asyncio
import itertools
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import Engine

from bot.render import html_to_plain
from handlers import dispatch
from handlers.context import HandlerSettings
from handlers.types import Button, ChatRequest, Kind, Reply

INTRO = (
    "CRM assistant console — you are the local admin. Type commands (/help), plain text,\n"
    "a number to press a button, ':contact <phone> <name>' to share a contact card,\n"
    "':location <lat> <lon>' to share a location, or ':quit'."
)


USAGE = {  # the console's own lines, not the assistant's: in the console's language
    "en": {"location": "usage: :location <latitude> <longitude>, e.g. :location 31.23 121.47",
           "contact": "usage: :contact <phone> <name>, e.g. :contact +8613800138000 张伟"},
    "zh-CN": {"location": "用法：:location <纬度> <经度>，例如 :location 31.23 121.47",
              "contact": "用法：:contact <电话> <姓名>，例如 :contact +8613800138000 张伟"},
}


class _Usage(Exception):
    """A console command typed wrong: print its usage line instead."""


class Console:
    """A terminal chat: buttons print as numbers, typing the number presses them."""

    def __init__(self, *, engine: Engine, settings: HandlerSettings, user_id: int,
                 language_code: str, out: TextIO = sys.stdout,
                 files_dir: Path = Path("reports")) -> None:
        self.engine, self.settings, self.user_id = engine, settings, user_id
        self.language_code, self.out = language_code, out
        self.files_dir = files_dir  # photos and documents the assistant sends land here
        self.buttons: list[Button] = []
        self._message_ids = itertools.count(1)

    async def run(self, lines: TextIO = sys.stdin, stop: asyncio.Event | None = None) -> None:
        """Read lines until end of input, ':quit' or `stop` (Ctrl-C)."""
        print(INTRO, file=self.out)
        await self.say("/start")
        stop = stop or asyncio.Event()
        while True:
            self.out.write("> ")
            self.out.flush()
            line = await _read_line(lines, stop)
            if not line or line.strip() == ":quit":
                print(file=self.out)
                return
            if line.strip():
                await self.say(line.rstrip("\n"))

    async def say(self, line: str) -> list[Reply]:
        """Turn one typed line into a request and print the replies."""
        try:
            req = self._request(line.strip())
        except _Usage as usage:
            print(self._usage(str(usage)), file=self.out)
            return []
        if req is None:
            print("(that button number is not on screen)", file=self.out)
            return []
        replies = await dispatch.handle(req, engine=self.engine, settings=self.settings)
        self._show(replies)
        return replies

    def _request(self, line: str) -> ChatRequest | None:
        base = ChatRequest(user_id=self.user_id, chat_id=self.user_id, kind=Kind.TEXT,
                           first_name="Console", last_name="Admin",
                           language_code=self.language_code,
                           message_id=next(self._message_ids))
        if line.isdigit() and len(line) <= 3:
            index = int(line) - 1
            if not 0 <= index < len(self.buttons):
                return None
            return replace(base, kind=Kind.CALLBACK, callback_data=self.buttons[index].action,
                           callback_id="console")
        head, *words = line.split() or [""]
        if head == ":contact":
            if not words:
                raise _Usage("contact")
            phone, *name = words
            contact = {"phone_number": phone, "first_name": " ".join(name) or phone}
            return replace(base, kind=Kind.CONTACT, payload={"contact": contact})
        if head == ":location":
            location = _location(words)
            return replace(base, kind=Kind.LOCATION, payload={"location": location})
        if line.startswith("/"):
            head, _, args = line[1:].partition(" ")
            return replace(base, kind=Kind.COMMAND, text=line, command=head.lower(),
                           args=args.strip())
        return replace(base, text=line)

    def _usage(self, command: str) -> str:
        lines = USAGE["zh-CN" if self.language_code.lower().startswith("zh") else "en"]
        return lines[command]

    def add_buttons(self, buttons: list[Button]) -> int:
        """Number a reminder's buttons after those on screen; return the first number."""
        first = len(self.buttons) + 1
        self.buttons.extend(buttons)
        return first

    def _save(self, reply: Reply) -> Path:
        """Write a sent photo or document under files_dir; return where it went."""
        content = reply.photo if reply.photo is not None else reply.document
        default = "photo.png" if reply.photo is not None else "document"
        name = Path(reply.filename or default).name or default  # never outside files_dir
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / name
        path.write_bytes(content or b"")
        return path

    def _show(self, replies: list[Reply]) -> None:
        self.buttons = []
        for reply in replies:
            if reply.toast and not reply.text:
                print(f"({reply.toast})", file=self.out)
            if reply.text:
                print(html_to_plain(reply.text), file=self.out)
            if reply.photo is not None or reply.document is not None:
                print(f"  → {self._save(reply)}", file=self.out)
            for row in reply.buttons:
                labels = []
                for button in row:
                    self.buttons.append(button)
                    labels.append(f"[{len(self.buttons)}] {button.label}")
                print("   ".join(labels), file=self.out)


def _location(words: list[str]) -> dict[str, float]:
    """Latitude and longitude typed after :location; _Usage unless two numbers on the map."""
    try:
        latitude, longitude = (float(word) for word in words)
    except ValueError:  # not two words, or not numbers
        raise _Usage("location") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise _Usage("location")
    return {"latitude": latitude, "longitude": longitude}


async def _read_line(lines: TextIO, stop: asyncio.Event) -> str:
    """The next typed line, or "" once `stop` is set.

    Read in a daemon thread: a thread blocked on the terminal must not keep the process from
    quitting (asyncio's own executor would be waited for at exit).
    """
    loop = asyncio.get_running_loop()
    typed: asyncio.Future[str] = loop.create_future()

    def deliver(line: str) -> None:
        if not typed.done():
            typed.set_result(line)

    def read() -> None:
        line = lines.readline()
        try:
            loop.call_soon_threadsafe(deliver, line)
        except RuntimeError:  # the loop is gone: the console has quit
            pass

    threading.Thread(target=read, name="console-input", daemon=True).start()
    stopping = asyncio.ensure_future(stop.wait())
    waiting: set[asyncio.Future[Any]] = {typed, stopping}
    try:
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    return typed.result() if typed.done() else ""
