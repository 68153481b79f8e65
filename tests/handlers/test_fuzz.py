"""Fuzzing the dispatcher: >= 10,000 random and hostile updates, no crash, no leak across teams.

One SQLite database holds two teams. Team A's admin, manager and rep (and strangers) send
random text, every registered command with random arguments, forged buttons naming team
B's records, and files to import (random bytes, CSV with stray quotes, workbooks broken or
unpacking to gigabytes, cut-off vCards, wrong types). Every reply must be a normal Reply
within Telegram's limits, nothing may crash, no text of team B may show, and team B's rows
must stay byte-for-byte the same.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from crm_store.clock import utcnow
from crm_store.db import make_engine, unit_of_work
from crm_store.models import Deal, Feedback, FeedbackKind, Member, Order, Role, Task, Team
from handlers import dispatch
from handlers.i18n import CATALOGS
from handlers.router import registry
from handlers.types import MAX_CALLBACK_BYTES, ChatRequest, Kind, Reply
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import ADMIN_ID, SETTINGS

# 10,000 updates by default; CRM_FUZZ_EXAMPLES=50 for a quick look while editing.
EXAMPLES, BATCH = int(os.environ.get("CRM_FUZZ_EXAMPLES", "1000")), 10
MANAGER_ID, REP_ID, OTHER_ADMIN_ID = 2301, 2302, 3301
SENDERS = (ADMIN_ID, MANAGER_ID, REP_ID, 9_000_001, 9_000_002)
OTHER_NAMES = ("Zebulon Quixote", "欧阳秘密", "Xavier Secretname")
MARKER = "Ω7Ψ3"  # in team B's names only; the fuzzer types the names, never the marker
INTERNAL_ERRORS = {CATALOGS[lang]["error.internal"] for lang in CATALOGS}


@dataclass
class Fuzzed:
    """The shared database and what the strategies need to forge."""

    engine: Engine
    other_team: int
    other_ids: list[int]
    loop: asyncio.AbstractEventLoop


@pytest.fixture
def fuzzed(sqlite_template: Path, tmp_path: Path) -> Iterator[Fuzzed]:
    """Two seeded teams on one SQLite file, shared by every example."""
    path = tmp_path / "fuzz.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, telegram_user_id=MANAGER_ID)
    rep = make_member(engine, by=manager, role=Role.REP, telegram_user_id=REP_ID)
    for owner, name in ((rep, "张伟"), (rep, "John Smith"), (manager, "李娜"), (admin, "王芳")):
        make_contact(engine, owner=owner, name=name, company="华东机械", phone=None)
    with unit_of_work(engine) as s:
        team = Team(name="Other team")
        s.add(team)
        s.flush()
        other = Member(team_id=team.id or 0, telegram_user_id=OTHER_ADMIN_ID,
                       display_name="Olga Other", role=Role.ADMIN)
        s.add(other)
        s.flush()
    ids = [make_contact(engine, owner=other, name=f"{n} {MARKER}", company="Secret Corp",
                        phone="13911112222").id or 0
           for n in OTHER_NAMES]
    with unit_of_work(engine) as s:
        owned = {"team_id": other.team_id, "owner_id": other.id, "contact_id": ids[0]}
        rows = [Deal(**owned, title="Secret deal", amount_minor=1, stage="qualified"),
                Order(**owned, amount_minor=100), Task(**owned, text="secret", due_at=utcnow()),
                Feedback(**owned, member_id=other.id, kind=FeedbackKind.COMPLAINT, text="x")]
        s.add_all(rows)
        s.flush()
        ids += [row.id or 0 for row in rows]
    loop = asyncio.new_event_loop()
    yield Fuzzed(engine, other.team_id, ids, loop)
    loop.close()
    engine.dispose()


def _checksum(engine: Engine, team_id: int) -> str:
    """A hash of every row that belongs to `team_id`, in every table that has a team."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            column = "id" if table.name == "team" else "team_id"
            if column not in table.c:
                continue
            rows = conn.execute(text(f'SELECT * FROM "{table.name}" WHERE {column} = :t '
                                     "ORDER BY 1"), {"t": team_id}).all()
            digest.update(json.dumps([table.name, [list(r) for r in rows]], default=str,
                                     ensure_ascii=False).encode())
    return digest.hexdigest()


HOSTILE = st.sampled_from([
    "", " ", "<b>bold</b>", "<script>alert(1)</script>", "</code><a href='x'>", "&amp;&lt;",
    "' OR 1=1; DROP TABLE contact; --", "\" ; DELETE FROM sales_order; --", "%s %d {0} {name}",
    "9" * 400, "-1", "0", "1e309", "NaN", "inf", "-99999999999999999999", "¥-5万", "5万亿亿",
    "\x00\x01\x1b[31m", "\u202eevil", "😀👍🏽🇨🇳", "𠀀𠀁", "张伟", "#1", "#999999999999",
    "#-1", "today", "明天下午3点", "2026-02-30", "25:99", "x" * 5000, "张" * 4097,
    *OTHER_NAMES, *(f"#{n}" for n in range(1, 12)),
])
TEXT = st.one_of(HOSTILE, st.text(max_size=80),
                 st.text(st.characters(codec="utf-8"), min_size=1, max_size=300),
                 st.lists(HOSTILE, min_size=1, max_size=4).map(" ".join))
# Unknown commands first: Hypothesis leans towards the first entry of a sampled list.
COMMANDS = ["nosuchcommand", "", "ＦＩＮＤ", "find@other_bot", *sorted(registry.commands)]


@st.composite
def callback_data(draw: st.DrawFn, other_ids: list[int]) -> str:
    """Buttons as Telegram would send them, stale ones, and forged ones for team B's rows."""
    prefix = draw(st.sampled_from(sorted(registry.callbacks) + ["zz", ""]))
    part = st.one_of(st.sampled_from(other_ids).map(str),
                     st.integers(-10**20, 10**20).map(str), st.integers(0, 50).map(str),
                     st.sampled_from(["call", "won", "mine", "team", "high", "rfm", "en"]),
                     st.text(max_size=12))
    parts = draw(st.lists(part, max_size=4))
    data = ":".join([prefix, *parts])
    return draw(st.one_of(st.just(data), st.text(max_size=80)))


def _workbook(rows: list[list[object]], *, stretch: bytes = b"", dimension: bool = False) -> bytes:
    """An XLSX of `rows`; `stretch` replaces the cell "BIG" (a zip bomb), `dimension` makes the
    sheet's <dimension> claim one row only."""
    book, raw = Workbook(), io.BytesIO()
    for row in rows:
        book.active.append(row)
    book.save(raw)
    source, out = zipfile.ZipFile(raw), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"BIG", stretch or b"BIG")
                if dimension:
                    body = body.replace(b'<dimension ref="', b'<dimension ref="A1:A1" x="')
            archive.writestr(item.filename, body)
    return out.getvalue()


WORKBOOKS = [
    _workbook([["姓名", "手机", "邮箱"], ["张伟", 13800138000, "zw@hd.cn"],
               ["=1+1", "+86 1", "@x"]]),
    _workbook([["name"], *([f"Person {i}"] for i in range(30))], dimension=True),
    _workbook([["name"], ["BIG"]], stretch=b"A" * (51 * 2**20)),  # unpacks to over 50 MB
    _workbook([["phone"], [1]]),
    b"PK\x03\x04" + bytes(range(256)) * 4,
]
CELL = st.one_of(st.sampled_from(['"', '"x', 'x"', '""', "'=1+1", "13800138000", "张伟", "\n",
                                  "a@b.cn", ";", "\t", "Müller"]), st.text(max_size=20))
VCARD = st.lists(st.sampled_from([
    "BEGIN:VCARD", "END:VCARD", "VERSION:3.0", "FN:张伟", "FN:", "N:王;芳;;;", "TEL:13800138000",
    "TEL:abc", "EMAIL:x@y.cn", "ORG:华东机械", "N;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=",
    " folded", "CATEGORIES:VIP,老客户", "ADR:;;;上海",
    "TEL;CHARSET=nope;ENCODING=QUOTED-PRINTABLE:=FF"]),
    max_size=20).map("\r\n".join)


@st.composite
def csv_file(draw: st.DrawFn) -> bytes:
    """A CSV with random cells: stray quotes, line breaks, formulas, in one of the encodings."""
    header = draw(st.sampled_from(["name,company,phone", "姓名;公司;手机", "name", "phone", ""]))
    rows = draw(st.lists(st.lists(CELL, min_size=1, max_size=5).map(",".join), min_size=1,
                         max_size=15))
    text = "\n".join([header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


FILES = {  # what a file holds, and the names it may come with
    "csv": (csv_file(), ["客户.csv", "A.CSV", "b.txt", "c.tsv"]),
    "xlsx": (st.sampled_from(WORKBOOKS), ["客户.xlsx", "b.XLSM"]),
    "vcard": (VCARD.map(str.encode), ["通讯录.vcf", "b.vcard"]),
    "other": (st.binary(max_size=600), ["a.xls", "a.pdf", "", "noext", ".csv", "x.xlsx", "y.vcf"]),
}


@st.composite
def document(draw: st.DrawFn) -> dict[str, object]:
    """A file sent to the bot: downloaded or not, named for what it holds or not."""
    content, names = FILES[draw(st.sampled_from(sorted(FILES)))]
    name = draw(st.one_of(st.sampled_from(names), st.tuples(
        st.text(max_size=60), st.sampled_from([".csv", ".xlsx", ".vcf", ".exe"])).map("".join)))
    payload: dict[str, object] = {"document": {"file_name": name, "file_size": draw(
        st.sampled_from([10, 0, 6 * 2**20]))}}
    if draw(st.integers(0, 19)):
        payload |= {"content": draw(content), "file_name": name}
    return payload if draw(st.integers(0, 19)) else {"media": "photo"}


@st.composite
def update(draw: st.DrawFn, other_ids: list[int]) -> ChatRequest:
    """One update from a member of team A or a stranger."""
    user = draw(st.sampled_from(SENDERS))
    base = {"user_id": user, "chat_id": user,
            "language_code": draw(st.sampled_from(["en", "zh-CN", "zh-hans", "fr", None]))}
    kind = draw(st.sampled_from([Kind.TEXT, Kind.COMMAND, Kind.CALLBACK, Kind.COMMAND,
                                 Kind.DOCUMENT, Kind.CALLBACK, Kind.COMMAND, Kind.CONTACT,
                                 Kind.LOCATION]))
    if kind == Kind.COMMAND:
        command, args = draw(st.sampled_from(COMMANDS)), draw(TEXT)
        return ChatRequest(kind=kind, command=command, args=args, text=f"/{command} {args}",
                           **base)
    if kind == Kind.CALLBACK:
        return ChatRequest(kind=kind, callback_data=draw(callback_data(other_ids)),
                           callback_id="cb", message_id=1, **base)
    if kind == Kind.CONTACT:
        payload = {"contact": {"phone_number": draw(TEXT), "first_name": draw(TEXT)}}
        return ChatRequest(kind=kind, payload=payload, **base)
    if kind == Kind.DOCUMENT:
        return ChatRequest(kind=kind, payload=draw(document()), **base)
    if kind == Kind.LOCATION:
        coordinate = st.floats(allow_nan=True, allow_infinity=True)
        payload = {"location": {"latitude": draw(coordinate), "longitude": draw(coordinate)}}
        return ChatRequest(kind=kind, payload=payload, **base)
    return ChatRequest(kind=kind, text=draw(TEXT), **base)


def _check(reply: object, req: ChatRequest) -> None:
    assert isinstance(reply, Reply), req
    assert isinstance(reply.text, str) and len(reply.text) <= 4096, req
    assert reply.text not in INTERNAL_ERRORS, req
    shown = reply.text + " ".join(b.label for row in reply.buttons for b in row)
    assert MARKER not in shown and "13911112222" not in shown, (req, reply.text[:300])
    for row in reply.buttons:
        for button in row:
            assert len(button.action.encode("utf-8")) <= MAX_CALLBACK_BYTES, req


@pytest.mark.slow
def test_ten_thousand_hostile_updates_crash_nothing_and_leave_the_other_team_alone(
    fuzzed: Fuzzed, monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(dispatch, "_refused", {})
    before = _checksum(fuzzed.engine, fuzzed.other_team)
    sent: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(st.lists(update(fuzzed.other_ids), min_size=BATCH, max_size=BATCH))
    def run(batch: list[ChatRequest]) -> None:
        for req in batch:
            replies = fuzzed.loop.run_until_complete(
                dispatch.handle(req, engine=fuzzed.engine, settings=SETTINGS))
            assert isinstance(replies, list), req
            for reply in replies:
                _check(reply, req)
            sent.append(1)

    run()
    assert len(sent) >= EXAMPLES * BATCH
    assert _checksum(fuzzed.engine, fuzzed.other_team) == before
