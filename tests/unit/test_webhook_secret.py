"""The webhook never runs open: no secret (or a short one) refuses to start; a request without
the secret gets 401; the listener is local unless told otherwise."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiohttp import test_utils
from sqlalchemy.engine import Engine

from bot.inbound import SECRET_HEADER, webhook_app
from bot.observability import Metrics
from bot.settings import Settings, webhook_secret_problem

SECRET = "0123456789abcdef_-XYZ"


@pytest.mark.parametrize("secret", ["", "short-secret", "has spaces in it, 16+ chars",
                                    "x" * 257])
def test_a_webhook_without_a_usable_secret_is_refused(secret: str) -> None:
    problem = webhook_secret_problem(secret)
    assert problem is not None and "secrets.token_urlsafe(32)" in problem
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        webhook_app(SimpleNamespace(engine=None), path="/hook", secret=secret)  # type: ignore[arg-type]


def test_a_secret_of_sixteen_url_safe_characters_is_enough() -> None:
    assert webhook_secret_problem("a" * 16) is None
    assert webhook_secret_problem(SECRET) is None


def test_the_listener_is_local_by_default() -> None:
    assert Settings(_env_file=None).webhook_listen == "127.0.0.1"  # type: ignore[call-arg]


async def test_requests_without_the_right_secret_get_401_and_store_nothing(
    sqlite_engine: Engine,
) -> None:
    stored: list[int] = []
    processor = SimpleNamespace(engine=sqlite_engine,
                                store=lambda update: stored.append(update["update_id"]) or True)
    metrics = Metrics()
    app = webhook_app(processor, path="/hook", secret=SECRET, metrics=metrics)  # type: ignore[arg-type]
    update = {"update_id": 7, "message": {"message_id": 1, "date": 0, "text": "hi",
                                          "chat": {"id": 5, "type": "private"},
                                          "from": {"id": 5, "is_bot": False, "first_name": "M"}}}
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        for headers in ({}, {SECRET_HEADER: ""}, {SECRET_HEADER: "wrong"},
                        {SECRET_HEADER: SECRET[:-1]}, {SECRET_HEADER: SECRET + "x"},
                        {SECRET_HEADER: "密码" * 10}):
            response = await client.post("/hook", json=update, headers=headers)
            assert response.status == 401, headers
        assert stored == []
        response = await client.post("/hook", json=update, headers={SECRET_HEADER: SECRET})
        assert response.status == 200 and stored == [7]
    assert metrics.registry.get_sample_value(
        "crm_webhook_requests_total", {"result": "unauthorized"}) == 6
