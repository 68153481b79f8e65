"""Importing contacts: CSV (UTF-8, BOM, GBK), XLSX, vCard; preview, duplicates, errors, commit."""

from __future__ import annotations

import io
import random
import re
import time
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from crm_store.db import unit_of_work
from crm_store.errors import Invalid
from crm_store.models import AuditLog, Company, Contact, Member, Role
from crm_store.records import import_files, importing
from tests.builders import make_admin, make_contact, make_member


def xlsx(rows: list[list[object]]) -> bytes:
    """A workbook whose first sheet holds `rows`."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def preview(engine: Engine, actor: Member, content: bytes, name: str) -> importing.ImportPreview:
    """Preview an import as `actor`, in its own transaction."""
    with unit_of_work(engine) as s:
        member = s.get(Member, actor.id)
        assert member is not None
        return importing.preview_import(s, actor=member, content=content, file_name=name)


def count_contacts(engine: Engine) -> int:
    """Live contacts in the database."""
    with unit_of_work(engine) as s:
        return int(s.exec(select(func.count()).select_from(Contact)).one())


@pytest.mark.slow
def test_10000_row_xlsx_reports_exactly_the_bad_rows(engine: Engine) -> None:
    admin = make_admin(engine)
    bad = set(random.Random(7).sample(range(10_000), 300))  # exactly 3 %
    rows: list[list[object]] = [["姓名", "公司", "手机", "邮箱", "城市", "标签"]]
    for i in range(10_000):
        name, phone, email = f"客户{i:05d}", 13_800_000_000 + i, f"c{i}@example.com"
        if i in bad:
            kind = i % 3
            name = "" if kind == 0 else name
            phone = 12345 if kind == 1 else phone
            email = "not-an-email" if kind == 2 else email
        rows.append([name, f"Company {i}", phone, email, "上海", "VIP, 老客户"])
    content = xlsx(rows)
    started = time.perf_counter()
    result = preview(engine, admin, content, "客户.xlsx")
    seconds = time.perf_counter() - started
    print(f"\npreview of 10,000 XLSX rows: {seconds:.2f} s")
    assert sorted(issue.row for issue in result.errors) == sorted(i + 2 for i in bad)
    assert len(result.ok) == 9_700 and not result.duplicates
    reasons = {issue.key for issue in result.errors}
    assert reasons == {"import.reason.name", "import.reason.phone", "import.reason.email"}
    assert result.ok[0].phone == "+8613800000000" and result.ok[0].tags == ["VIP", "老客户"]
    assert seconds < 60
    assert count_contacts(engine) == 0  # a preview writes nothing
    started = time.perf_counter()
    with unit_of_work(engine) as s:
        member = s.get(Member, admin.id)
        assert member is not None
        assert importing.commit_import(s, actor=member, rows=result.ok).created == 9_700
    print(f"writing 9,700 contacts: {time.perf_counter() - started:.2f} s")
    with unit_of_work(engine) as s:
        last = s.exec(select(Contact).where(Contact.phone == "+8613800009999")).one()
        trail = s.exec(select(AuditLog).where(AuditLog.entity_id == last.id,
                                              AuditLog.entity == "contact")).one()
        assert trail.after is not None and trail.after["name"] == last.name == "客户09999"


def test_gbk_csv_with_chinese_headers_is_read(engine: Engine) -> None:
    admin = make_admin(engine)
    text = "姓名,公司,电话,邮箱,行业\n张伟,华东机械,138-0013-8000,zw@hd.cn,制造\n李娜,,,,\n"
    result = preview(engine, admin, text.encode("gbk"), "export.csv")
    assert [(r.name, r.company, r.phone, r.industry) for r in result.ok] == [
        ("张伟", "华东机械", "+8613800138000", "制造"), ("李娜", None, None, None)]


def test_utf8_bom_csv_with_semicolons_and_english_headers(engine: Engine) -> None:
    admin = make_admin(engine)
    text = "Name;Company;Mobile Phone;E-mail\nZhang Wei;Acme;+86 139 1234 5678;ZW@Acme.com\n"
    result = preview(engine, admin, text.encode("utf-8-sig"), "contacts.csv")
    assert [(r.name, r.phone, r.email) for r in result.ok] == [
        ("Zhang Wei", "+8613912345678", "zw@acme.com")]


def test_vcard_with_chinese_names_in_both_versions(engine: Engine) -> None:
    admin = make_admin(engine)
    cards = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=BC=9F;;;\r\n"
        "TEL;CELL:138 0013 8000\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:王芳\r\nN:王;芳;;;\r\nORG:华东机械;销售部\r\n"
        "item1.EMAIL;TYPE=INTERNET:wf@hd.cn\r\nADR;TYPE=WORK:;;南京路1号;上海;;;中国\r\n"
        "CATEGORIES:VIP,老客户\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Phone\r\nTEL:abc\r\nEND:VCARD\r\n"
    )
    result = preview(engine, admin, cards.encode(), "通讯录.vcf")
    assert [(r.name, r.company, r.phone, r.email, r.city, r.tags) for r in result.ok] == [
        ("张伟", None, "+8613800138000", None, None, []),
        ("王芳", "华东机械", None, "wf@hd.cn", "上海", ["VIP", "老客户"]),
    ]
    assert [(e.row, e.key) for e in result.errors] == [(3, "import.reason.phone")]


def test_duplicates_of_contacts_and_within_the_file_are_reported(engine: Engine) -> None:
    admin = make_admin(engine)
    rep = make_member(engine, by=admin, role=Role.REP, name="Rep")
    make_contact(engine, owner=rep, name="张伟", phone="13800138000")
    make_contact(engine, owner=admin, name="王芳", company="华东机械")
    text = ("name,company,phone,email\n"
            "Zhang Wei,,13800138000,\n"       # row 2: a colleague's contact
            "王芳,华东机械,,\n"                 # row 3: similar name at the same company
            "李娜,,,ln@x.cn\n"                  # row 4: new
            "Li Na,,,LN@x.cn\n")               # row 5: same email as row 4
    result = preview(engine, rep, text.encode(), "a.csv")
    assert [r.name for r in result.ok] == ["李娜"]
    found = [(d.row, d.key, d.params) for d in result.duplicates]
    assert found == [
        (2, "import.reason.dup_contact", {"name": "张伟"}),
        (3, "import.reason.dup_hidden", {}),  # the rep may not see the admin's contact
        (5, "import.reason.dup_row", {"other": 4}),
    ]


@pytest.mark.parametrize(("content", "name", "key"), [
    (b"name\nA\n", "contacts.pdf", "import.bad_type"),
    (b"name\nA\n", "contacts", "import.bad_type"),
    (b"\xd0\xcf\x11\xe0", "old.xls", "import.old_excel"),
    (b"", "empty.csv", "import.empty"),
    (b"name,phone\n\n,\n", "header-only.csv", "import.empty"),
    (b"company,phone\nAcme,13800138000\n", "no-name.csv", "import.no_name_column"),
    (b"not a zip", "broken.xlsx", "import.unreadable"),
    (b"PK\x03\x04garbage", "broken.xlsx", "import.unreadable"),
    (b"\x00\x01\x02name", "binary.csv", "import.unreadable"),
    (b"FN:nobody", "card.vcf", "import.unreadable"),
    (b"name\n\xff\xfe\xfd\xff\xff\n", "bad.csv", "import.encoding"),
])
def test_bad_files_get_a_specific_reason(engine: Engine, content: bytes, name: str,
                                         key: str) -> None:
    admin = make_admin(engine)
    with pytest.raises(Invalid) as caught:
        preview(engine, admin, content, name)
    assert caught.value.key == key


def test_oversized_file_and_too_many_rows_are_refused(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = make_admin(engine)
    with pytest.raises(Invalid) as caught:
        preview(engine, admin, b"name\n" + b"x" * importing.MAX_BYTES, "big.csv")
    assert caught.value.key == "import.too_big"
    monkeypatch.setattr(import_files, "MAX_ROWS", 3)
    with pytest.raises(Invalid) as caught:
        preview(engine, admin, b"name\na\nb\nc\nd\n", "rows.csv")
    assert caught.value.key == "import.too_many_rows"
    assert preview(engine, admin, b"name\na\nb\nc\n", "rows.csv").rows == 3


def test_commit_writes_rows_owned_by_the_actor_and_skips_late_duplicates(engine: Engine) -> None:
    admin = make_admin(engine)
    rep = make_member(engine, by=admin, role=Role.REP, name="Rep")
    text = ("姓名,公司,电话,城市,行业,标签\n张伟,华东机械,13800138000,上海,制造,VIP\n"
            "李娜,华东机械,13900139000,,,\n王芳,新公司,,,,\n")
    result = preview(engine, rep, text.encode(), "a.csv")
    make_contact(engine, owner=admin, name="王芳", company="新公司")
    make_contact(engine, owner=admin, name="Someone", phone="13900139000")
    with unit_of_work(engine) as s:
        member = s.get(Member, rep.id)
        assert member is not None
        done = importing.commit_import(s, actor=member, rows=result.ok)
    assert (done.created, done.skipped) == (1, 2)
    with unit_of_work(engine) as s:
        zhang = s.exec(select(Contact).where(Contact.name == "张伟")).one()
        company = s.get(Company, zhang.company_id)
        assert (zhang.owner_id, zhang.phone, zhang.city, zhang.industry, zhang.tags) == (
            rep.id, "+8613800138000", "上海", "制造", ["VIP"])
        assert company is not None and company.name == "华东机械"
        assert zhang.pinyin_full and zhang.source == "import"
        audit = s.exec(select(AuditLog).where(AuditLog.entity == "contact",
                                              AuditLog.entity_id == zhang.id)).one()
        assert audit.action == "create" and audit.actor_id == rep.id


def test_rows_survive_the_dialog_round_trip() -> None:
    row = importing.ImportRow(row=7, name="张伟", company="华东机械", phone="+8613800138000",
                              tags=["VIP"])
    assert importing.ImportRow.from_json(row.to_json()) == row


def stray_quote_csv(rows: int) -> bytes:
    """`rows` contacts; row 4 of the sheet opens a quote that never closes."""
    lines = ["name,company,phone"] + [f"客户{i},ACME {i},138{i:08d}" for i in range(rows)]
    lines[3] = '客户2,"ACME Ltd,13800000002'
    return "\n".join(lines).encode()


@pytest.mark.parametrize("rows", [10, 6000])  # 6000 rows: the runaway field passes 128 KB
def test_a_stray_quote_is_an_error_row_and_the_rows_after_it_are_still_read(
        engine: Engine, rows: int) -> None:
    admin = make_admin(engine)
    result = preview(engine, admin, stray_quote_csv(rows), "contacts.csv")
    assert result.rows == rows
    assert [(e.row, e.key) for e in result.errors] == [(4, "import.reason.open_quote")]
    assert [r.row for r in result.ok] == [n for n in range(2, rows + 2) if n != 4]
    assert result.ok[2].name == "客户3" and result.ok[2].company == "ACME 3"


def test_a_line_break_in_a_kept_column_is_an_error_not_a_lost_row() -> None:
    text = 'name,phone\n"Zhang\nWei",13800138000\nLi Na,13900139000\n'
    _, found = import_files.read_rows(text.encode(), "a.csv")
    assert [(r.row, r.error) for r in found][0] == (2, "import.reason.open_quote")
    assert found[-1].values == {"name": "Li Na", "phone": "13900139000"}
    notes = 'name,notes\nZhang Wei,"line one\nline two"\n'  # a column we don't keep may wrap
    assert [(r.row, r.values, r.error) for r in import_files.read_file(
        notes.encode(), "a.csv").rows] == [(2, {"name": "Zhang Wei"}, "")]


def stale_dimension(content: bytes, ref: str) -> bytes:
    """The workbook with its sheet's <dimension> rewritten to `ref`, as some exporters leave it."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]+" ?/>', f'<dimension ref="{ref}"/>'.encode(),
                              body)
            archive.writestr(item.filename, body)
    return out.getvalue()


def test_xlsx_rows_past_a_stale_dimension_are_read() -> None:
    rows: list[list[object]] = [["name", "phone"]]
    rows += [[f"客户{i}", 13800138000 + i] for i in range(5)]
    _, found = import_files.read_rows(stale_dimension(xlsx(rows), "A1:B2"), "客户.xlsx")
    assert [r.values["name"] for r in found] == [f"客户{i}" for i in range(5)]


def bomb(size: int) -> bytes:
    """A workbook of a few KB whose one cell unpacks to `size` bytes."""
    source, out = zipfile.ZipFile(io.BytesIO(xlsx([["name"], ["张伟"], ["PLACEHOLDER"]]))), \
        io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"PLACEHOLDER", b"A" * size)
            archive.writestr(item.filename, body)
    return out.getvalue()


def test_a_zip_bomb_workbook_is_refused_before_it_is_opened(engine: Engine) -> None:
    admin = make_admin(engine)
    content = bomb(import_files.MAX_UNZIPPED_BYTES + 1)
    assert len(content) < 200_000
    with pytest.raises(Invalid) as caught:
        preview(engine, admin, content, "x.xlsx")
    assert caught.value.key == "import.too_big_unzipped"
    assert caught.value.params == {"limit": 50}
    found = import_files.read_file(bomb(100_000), "x.xlsx").rows  # big, but under the limit
    assert [len(r.values["name"]) for r in found] == [2, import_files.MAX_CELL]


def test_a_western_csv_is_read_as_windows_1252_and_says_so(engine: Engine) -> None:
    admin = make_admin(engine)
    text = "Name,Company,City\nJürgen Müller,Bäckerei Schön GmbH,Köln\nRené Dupont,Café,\n"
    result = preview(engine, admin, text.encode("cp1252"), "kunden.csv")
    assert [(r.name, r.company, r.city) for r in result.ok] == [
        ("Jürgen Müller", "Bäckerei Schön GmbH", "Köln"), ("René Dupont", "Café", None)]
    assert result.encoding == "Windows-1252 (Latin-1)"
    chinese = "姓名,公司,标签\n张伟,华东机械,VIP客户\nA座,B栋,\n李娜,ACME,\n"
    assert preview(engine, admin, chinese.encode("gbk"), "a.csv").encoding == "GBK/GB18030"
    assert preview(engine, admin, chinese.encode(), "a.csv").encoding == "UTF-8"
    assert preview(engine, admin, xlsx([["name"], ["A"]]), "a.xlsx").encoding == ""


def test_a_vcard_cut_off_is_an_error_not_a_lost_card(engine: Engine) -> None:
    admin = make_admin(engine)
    cards = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A One\r\nTEL:13800138000\r\nEND:VCARD\r\n"
             "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:B Two\r\n"  # cut by the next card
             "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:C Three\r\nEND:VCARD\r\n"
             "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:D Four\r\nTEL:13900139000\r\n")  # file ends
    result = preview(engine, admin, cards.encode(), "x.vcf")
    assert [r.name for r in result.ok] == ["A One", "C Three"]
    assert [(e.row, e.key) for e in result.errors] == [
        (2, "import.reason.card_cut"), (4, "import.reason.card_cut")]


def test_only_a_leading_quote_before_a_formula_sign_is_taken_off() -> None:
    content = xlsx([["name", "company"], ["'=Zhang", "Rock'-n-Roll Bar"], ["'+Li", "'@home"]])
    found = import_files.read_file(content, "a.xlsx").rows
    assert [r.values for r in found] == [{"name": "=Zhang", "company": "Rock'-n-Roll Bar"},
                                         {"name": "+Li", "company": "@home"}]
