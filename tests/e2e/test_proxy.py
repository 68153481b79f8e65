"""TELEGRAM_PROXY reaches both frameworks' clients: every Bot API call goes through it."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bot.runtime import transport_for
from bot.settings import Settings
from tests.botapi_standin import BotApiStandin
from tests.e2e.conftest import TOKEN

pytestmark = pytest.mark.e2e


class RelayProxy:
    """An HTTP proxy that records each connection's first request line and relays the bytes
    (CONNECT tunnels, and absolute-form requests passed on to the host they name)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.url = ""
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0].decode()
            self.requests.append(line)
            method, target, _version = line.split(" ", 2)
            if method == "CONNECT":
                host, _, port = target.rpartition(":")
                first = b""
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                host, _, rest = target.removeprefix("http://").partition("/")
                host, _, port = host.partition(":")
                first = head
            up_reader, up_writer = await asyncio.open_connection(host, int(port or 80))
            up_writer.write(first)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except (OSError, ValueError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while chunk := await source.read(65536):
                sink.write(chunk)
                await sink.drain()
        with contextlib.suppress(OSError):
            sink.close()


async def test_every_bot_api_call_goes_through_the_proxy(
    standin: BotApiStandin, framework: str
) -> None:
    proxy = RelayProxy()
    await proxy.start()
    try:
        settings = Settings(telegram_bot_token=TOKEN, telegram_api_url=standin.base_url,
                            telegram_proxy=proxy.url, _env_file=None)  # type: ignore[call-arg]
        username = await transport_for(framework).fetch_username(settings)
    finally:
        await proxy.stop()
    assert username == "crm_test_bot"
    host = standin.base_url.removeprefix("http://")
    assert proxy.requests and all(host in line for line in proxy.requests), proxy.requests
