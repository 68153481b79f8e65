"""Same limits and answers on SQLite and PostgreSQL: long Chinese names, odd workbooks."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from crm_store.contacts import contacts
from crm_store.contacts.contacts import NewContact
from crm_store.db import unit_of_work
from crm_store.errors import Invalid
from crm_store.models import Company, Contact, Member
from crm_store.records import importing
from tests.builders import make_admin
from tests.store.records.test_importing import preview, xlsx

LONG_NAME = "庄创爽双窗床装状撞霜" * 12  # 120 characters, 700 letters of pinyin (zhuang…)


def test_a_120_character_chinese_name_is_stored_with_search_keys_on_both_stores(
        engine: Engine) -> None:
    admin = make_admin(engine)
    with unit_of_work(engine) as s:
        made = contacts.create_contact(s, actor=s.merge(admin),
                                       data=NewContact(name=LONG_NAME, company="ß" * 200))
    with unit_of_work(engine) as s:
        stored = s.get(Contact, made.id)
        company = s.exec(select(Company)).one()
    assert stored is not None and stored.name == LONG_NAME
    assert len(stored.pinyin_full) <= 400 and stored.pinyin_full.startswith("zhuangchuangshuang")
    assert len(stored.pinyin_initials) == 120 and len(company.name_key) <= 200


def test_an_import_with_one_very_long_chinese_name_imports_every_row(engine: Engine) -> None:
    admin = make_admin(engine)
    rows = [["姓名", "电话"]] + [[f"客户{n}", f"1380013{n:04d}"] for n in range(1000)]
    rows.insert(500, [LONG_NAME, "13900000000"])  # PostgreSQL refused the whole file
    result = preview(engine, admin, xlsx(rows), "big.xlsx")
    assert len(result.ok) == 1001 and not result.errors
    with unit_of_work(engine) as s:
        done = importing.commit_import(s, actor=s.get(Member, admin.id), rows=result.ok)  # type: ignore[arg-type]
    assert done.created == 1001


def with_dtd(content: bytes, entities: bytes, cell: bytes) -> bytes:
    """The workbook with a DTD before its first sheet's XML, and `cell` in place of ZZZ."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if b"ZZZ" in body:
                body = b"<!DOCTYPE worksheet [" + entities + b"]>" + body.replace(b"ZZZ", cell)
            target.writestr(item, body)
    return out.getvalue()


@pytest.mark.parametrize(("entities", "cell"), [
    (b'<!ENTITY a "Ann">', b"&a;"),
    (b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">', b"&c;"),
    (b'<!ENTITY e SYSTEM "file:///etc/hostname">', b"&e;"),
], ids=["internal", "expansion", "external"])
def test_a_workbook_with_a_dtd_is_refused_as_unreadable(engine: Engine, entities: bytes,
                                                        cell: bytes) -> None:
    admin = make_admin(engine)
    content = with_dtd(xlsx([["name", "phone"], ["ZZZ", "13800138000"]]), entities, cell)
    with pytest.raises(Invalid) as refused:
        preview(engine, admin, content, "dtd.xlsx")
    assert refused.value.key == "import.unreadable"
