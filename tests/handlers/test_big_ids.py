"""Ids past PostgreSQL's INTEGER (2^31 - 1), typed or in forged buttons, get a plain answer.

SQLite finds nothing for such an id; PostgreSQL refused the query ("integer out of range")
and the user got "something went wrong". Both stores now answer the same.
"""

from __future__ import annotations

import pytest

from handlers.ids import MAX_ID, record_id
from handlers.router import registry
from tests.builders import make_admin, make_contact
from tests.handlers.conftest import Chat

BIG = ("2147483648", "99999999999")
COMMANDS = ("/contact #{id}", "/paid #{id} 100", "/done #{id}", "/resolve {id} ok",
            "/audit #{id}", "/erase #{id}", "/points #{id}", "/deal #{id} ERP 5000",
            "/order #{id} 100", "/log #{id} call hello", "/followup #{id} tomorrow call",
            "/csat #{id} 5", "/edit #{id}")
INTERNAL = "something went wrong"


@pytest.mark.parametrize("big", BIG)
async def test_typed_ids_past_the_integer_range_are_not_found(chat: Chat, big: str) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    for command in COMMANDS:
        replies = await chat.send(command.format(id=big))
        assert replies and INTERNAL not in chat.text(), command
    assert "张伟" in (await chat.send("/contact 张伟"))[0].text  # nothing else was touched


async def test_forged_buttons_with_huge_ids_are_stale(chat: Chat) -> None:
    make_admin(chat.engine)
    pressed = 0
    for prefix, spec in sorted(registry.callbacks.items()):
        values = [BIG[1] if f.kind == "int" else f.choices[0] if f.choices else "x"
                  for f in spec.family.fields]
        if BIG[1] not in values:
            continue
        await chat.press_data(":".join([prefix, *values]))
        assert INTERNAL not in chat.text(), prefix
        pressed += 1
    assert pressed > 30  # most families carry an id


def test_record_id_reads_what_fits_the_database() -> None:
    assert record_id("#42") == 42 and record_id("42") == 42
    assert record_id(f"#{MAX_ID}") == MAX_ID
    assert record_id(f"#{MAX_ID + 1}") is None and record_id("#0") is None
    assert record_id("#４２") is None and record_id("#-1") is None and record_id("#") is None
