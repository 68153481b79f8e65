"""The log set-up blanks the bot token out of every line: message, arguments, traceback."""

from __future__ import annotations

import io
import json
import logging

from bot.observability import JsonFormatter, Redactor

TOKEN = "123456:AAH-secret_Token-value"


def written(formatter: logging.Formatter, *emit: object) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    handler.addFilter(Redactor([TOKEN]))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate, logger.level = False, logging.DEBUG
    try:
        logger.debug("Set Bot API URL: http://api/bot%s", TOKEN)
        logger.info("encoded: /bot123456%%3A%s/getMe", TOKEN.partition(":")[2])
        try:
            raise ConnectionError(f"POST https://api.telegram.org/bot{TOKEN}/getUpdates failed")
        except ConnectionError:
            logger.exception("getUpdates failed", extra={"url": f"/bot{TOKEN}/x"})
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


def test_no_line_shows_the_token_as_text() -> None:
    text = written(logging.Formatter("%(levelname)s %(message)s"))
    assert "AAH-secret" not in text and text.count("[redacted]") == 3
    assert "ConnectionError" in text and "Traceback" in text


def test_no_line_shows_the_token_as_json() -> None:
    text = written(JsonFormatter())
    assert "AAH-secret" not in text
    entries = [json.loads(line) for line in text.splitlines()]
    assert entries[2]["url"] == "/bot[redacted]/x" and "[redacted]" in entries[2]["exc"]


def test_without_a_token_nothing_changes() -> None:
    record = logging.makeLogRecord({"msg": "hello %s", "args": ("world",)})
    assert Redactor([""]).filter(record) and record.getMessage() == "hello world"
