"""Import by sending a file (preview → Confirm / Cancel) and /export, through the dispatcher."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func
from sqlmodel import select

from crm_store.db import unit_of_work
from crm_store.models import AuditLog, Contact, Role
from handlers.types import Kind, Reply
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat

ROOT = Path(__file__).resolve().parents[3]
CSV = ("姓名,公司,手机,邮箱\n张伟,华东机械,13800138000,zw@hd.cn\n李娜,,13900139000,\n"
       ",无名公司,13700137000,\n王芳,,12345,\n")


async def send_file(chat: Chat, content: bytes | None, file_name: str) -> list[Reply]:
    """Send a document the way the transport hands it over (bytes already downloaded)."""
    payload: dict[str, object] = {"document": {"file_name": file_name, "file_size": 10}}
    if content is not None:
        payload |= {"content": content, "file_name": file_name}
    return await chat._handle(chat._request(Kind.DOCUMENT, payload=payload))


def contact_names(chat: Chat) -> list[str]:
    """Names of every contact in the database, sorted."""
    with unit_of_work(chat.engine) as s:
        return sorted(s.exec(select(Contact.name)).all())


async def test_preview_lists_problems_by_row_and_confirm_writes(chat: Chat) -> None:
    await chat.send("/start")
    await send_file(chat, CSV.encode("gbk"), "客户.csv")
    text = chat.text()
    assert "Rows read: 4" in text and "New contacts: <b>2</b>" in text
    assert "Row 4: no name" in text and "Row 5: “12345” is not a valid phone number" in text
    assert contact_names(chat) == []  # nothing before Confirm
    confirm = chat.last[0].buttons[0][0].action
    await chat.press("Add 2")
    assert "Added 2 contacts" in chat.text() and chat.last[0].edit
    assert contact_names(chat) == ["张伟", "李娜"]
    await chat.press_data(confirm)
    assert "no longer pending" in chat.text()  # a second press adds nothing
    assert contact_names(chat) == ["张伟", "李娜"]


async def test_cancel_writes_nothing_and_an_old_preview_cannot_be_confirmed(chat: Chat) -> None:
    await chat.send("/start")
    first = await send_file(chat, CSV.encode("utf-8-sig"), "a.csv")
    await send_file(chat, b"name\nSolo\n", "b.csv")
    await chat.press("Add 2", first)  # the first preview was replaced by the second
    assert "no longer pending" in chat.text()
    await send_file(chat, CSV.encode(), "a.csv")
    await chat.press("Cancel")
    assert "nothing was added" in chat.text()
    assert contact_names(chat) == []


async def test_reimporting_existing_contacts_offers_nothing_to_add(chat: Chat) -> None:
    await chat.send("/start")
    await send_file(chat, CSV.encode(), "a.csv")
    await chat.press("Add 2")
    await send_file(chat, CSV.encode(), "a.csv")
    assert "already a contact: 张伟" in chat.text() and "nothing to add" in chat.text()
    assert chat.buttons() == []


async def test_long_problem_lists_come_as_a_file(chat: Chat) -> None:
    await chat.send("/start")
    rows = "\n".join(f"Person {i},,{i}" for i in range(20))
    replies = await send_file(chat, f"name,company,phone\n{rows}\n".encode(), "bad.csv")
    assert "…and 8 more" in replies[0].text
    assert replies[1].filename == "import-problems.csv" and replies[1].document
    lines = list(csv.reader(io.StringIO(replies[1].document.decode("utf-8-sig"))))
    assert lines[0] == ["Row", "Problem"] and len(lines) == 21 and lines[1][0] == "2"


async def test_bad_files_get_specific_replies_and_change_nothing(chat: Chat) -> None:
    await chat.send("/start")
    assert "CSV (.csv), Excel (.xlsx) or vCard" in (await send_file(chat, b"x", "a.pdf"))[0].text
    assert "no contacts" in (await send_file(chat, b"", "a.csv"))[0].text
    assert "name column" in (await send_file(chat, b"phone\n138\n", "a.csv"))[0].text
    assert "old Excel" in (await send_file(chat, b"x", "a.xls"))[0].text
    assert "could not download" in (await send_file(chat, None, "a.csv"))[0].text
    photo = await chat._handle(chat._request(Kind.DOCUMENT, payload={"media": "photo"}))
    assert "from a file only" in photo[0].text
    group = chat._request(Kind.DOCUMENT, payload={"content": CSV.encode(), "file_name": "a.csv"})
    assert await chat._handle(replace(group, chat_type="group", chat_id=-100)) == []
    assert contact_names(chat) == []


async def test_a_file_over_the_size_limit_is_refused_in_the_users_language(chat: Chat) -> None:
    await chat.send("/start")
    big = b"name\n" + b"x" * (5 * 1024 * 1024)  # just over 5 MB, already downloaded
    assert (await send_file(chat, big, "a.csv"))[0].text == (
        "The file is 5.1 MB; the limit is 5 MB. Split it and send the parts one by one.")
    await chat.send("/lang zh")
    told = await chat._handle(chat._request(Kind.DOCUMENT, payload={
        "document": {"file_name": "a.csv", "file_size": 8 * 1024 * 1024}}))  # not fetched
    assert told[0].text == "文件大小为 8.0 MB，上限为 5 MB。请拆分后逐个发送。"
    assert contact_names(chat) == []


async def test_chinese_user_gets_a_chinese_preview(chat: Chat) -> None:
    await chat.send("/start")
    make_member(chat.engine, by=make_admin(chat.engine), role=Role.REP, name="小李",
                telegram_user_id=2001, language="zh-CN")
    zh = Chat(chat.engine, user_id=2001, language_code="zh-CN")
    await send_file(zh, CSV.encode("gbk"), "客户.csv")
    assert "导入预览" in zh.text() and "第 4 行：缺少姓名" in zh.text()
    await zh.press("添加 2 位")
    assert "已添加 2 位联系人" in zh.text()


async def test_import_command_explains_the_columns(chat: Chat) -> None:
    await chat.send("/import")
    assert "name/姓名" in chat.text() and "5 MB" in chat.text()


def export_audit(chat: Chat) -> list[tuple[int | None, dict[str, object] | None]]:
    """(actor, what was exported) of every export in the audit trail, oldest first."""
    with unit_of_work(chat.engine) as s:
        return [(row.actor_id, row.after) for row in s.exec(
            select(AuditLog).where(AuditLog.action == "export").order_by(AuditLog.id))]


async def test_a_manager_exports_their_teams_records_and_calendar_and_it_is_audited(
        chat: Chat) -> None:
    admin = make_admin(chat.engine)
    manager = make_member(chat.engine, by=admin, role=Role.MANAGER, name="Mgr",
                          telegram_user_id=2003)
    rep = make_member(chat.engine, by=manager, role=Role.REP, name="Rep", telegram_user_id=2002)
    make_contact(chat.engine, owner=rep, name="张伟", phone="13800138000")
    make_contact(chat.engine, owner=admin, name="Boss Client", phone="13900139000")
    boss = Chat(chat.engine, user_id=2003)
    await boss.send("/followup 张伟 tomorrow 3pm send the quote")
    replies = await boss.send("/export")
    files = {r.filename.split("-")[0]: r for r in replies if r.filename}
    assert sorted(files) == ["contacts", "crm", "followups"]
    text = files["contacts"].document.decode("utf-8-sig")  # type: ignore[union-attr]
    assert "张伟" in text and "Boss Client" not in text
    assert "1 contacts, 0 deals, 0 orders" in files["crm"].text
    assert b"send the quote" in files["followups"].document  # type: ignore[operator]
    assert export_audit(chat) == [(manager.id, {"files": ["xlsx", "csv", "ics"], "contacts": 1,
                                                "deals": 0, "orders": 0, "follow_ups": 1})]


async def test_a_rep_gets_only_their_follow_up_calendar_with_one_line_why(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    rep = make_member(chat.engine, by=admin, role=Role.REP, name="Rep", telegram_user_id=2002)
    make_contact(chat.engine, owner=rep, name="张伟", phone="13800138000")
    rep_chat = Chat(chat.engine, user_id=2002)
    empty = await rep_chat.send("/export")
    assert [r.document for r in empty] == [None]
    assert empty[0].text == ("No open follow-ups, so no calendar file.\n"
                             "The contact export is for managers and admins.")
    await rep_chat.send("/followup 张伟 tomorrow 10am call back")
    [ics] = await rep_chat.send("/export")
    assert ics.filename and ics.filename.endswith(".ics") and ics.document
    assert b"BEGIN:VCALENDAR" in ics.document and "张伟".encode() in ics.document
    assert "managers and admins" in ics.text and "张伟" not in ics.text
    assert export_audit(chat) == [(rep.id, {"files": [], "follow_ups": 0}),
                                  (rep.id, {"files": ["ics"], "follow_ups": 1})]
    with unit_of_work(chat.engine) as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 1


async def test_a_chinese_rep_is_told_in_chinese_that_the_contact_export_is_for_managers(
        chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_member(chat.engine, by=admin, role=Role.REP, name="小李", telegram_user_id=2002,
                language="zh-CN")
    zh = Chat(chat.engine, user_id=2002, language_code="zh-CN")
    [reply] = await zh.send("/export")
    assert reply.text == "没有待办跟进，因此没有日历文件。\n联系人导出仅限经理和管理员。"


async def test_help_says_who_gets_what_from_export(chat: Chat) -> None:
    text = "\n".join(r.text for r in await chat.send("/help"))
    assert "managers and admins also get" in text


def test_cli_import_previews_then_adds_with_yes(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_bytes(CSV.encode("gbk"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'crm.sqlite3'}", "PYTHONPATH": str(ROOT)}

    def crm_bot(*args: str, answer: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "import", *args], cwd=tmp_path,
                              env=env, input=answer, capture_output=True, text=True, timeout=120)

    declined = crm_bot("c.csv", answer="n\n")
    assert declined.returncode == 1 and "Row 4: no name" in declined.stdout
    added = crm_bot("c.csv", "--yes")
    assert added.returncode == 0 and "Added 2 contacts" in added.stdout
    again = crm_bot("c.csv", "--yes")
    assert "already a contact: 张伟" in again.stdout and "nothing to add" in again.stdout
    wrong = crm_bot("c.pdf", "--yes")
    assert wrong.returncode == 2 and "c.pdf" in wrong.stderr


def stray_quote_csv(rows: int) -> bytes:
    """`rows` contacts; row 4 of the sheet opens a quote that never closes."""
    lines = ["name,company,phone"] + [f"Person {i},Co {i},138{i:08d}" for i in range(rows)]
    lines[3] = 'Person 2,"Co Ltd,13800000002'
    return "\n".join(lines).encode()


def small_bomb() -> bytes:
    """An XLSX of a few KB that unpacks to more than 50 MB."""
    book = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["name"])
    workbook.active.append(["PLACEHOLDER"])
    workbook.save(book)
    source, out = zipfile.ZipFile(book), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            body = source.read(item.filename)
            archive.writestr(item.filename, body.replace(b"PLACEHOLDER", b"A" * 51 * 2**20))
    return out.getvalue()


async def test_a_stray_quote_costs_one_row_and_says_which(chat: Chat) -> None:
    await chat.send("/start")
    await send_file(chat, stray_quote_csv(6000), "a.csv")  # the runaway field passes 128 KB
    text = chat.text()
    assert "Rows read: 6,000" in text and "New contacts: <b>5,999</b>" in text
    assert "Row 4: a quote (\") opens here and never closes" in text
    assert "Text encoding: UTF-8" in text
    assert chat.last[0].buttons  # the rest can be confirmed


async def test_a_western_csv_shows_its_encoding_and_a_bomb_is_refused_in_chinese(
        chat: Chat) -> None:
    await chat.send("/start")
    text = "Name,Company\nJürgen Müller,Bäckerei Schön GmbH\n"
    await send_file(chat, text.encode("cp1252"), "kunden.csv")
    assert "Text encoding: Windows-1252 (Latin-1)" in chat.text()
    await chat.send("/lang zh")
    [told] = await send_file(chat, small_bomb(), "a.xlsx")
    assert told.text.startswith("此工作簿解压后超过 50 MB")
    assert contact_names(chat) == []
