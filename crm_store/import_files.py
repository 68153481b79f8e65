"""Read contact files (CSV in UTF-8/GBK, XLSX, vCard) into raw rows under known columns."""

from __future__ import annotations

import codecs
import csv
import io
import math
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from crm_store.errors import Invalid
from crm_store.normalize import clean_text

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
KINDS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
         ".vcf": "vcard", ".vcard": "vcard"}
_SYNONYMS = {
    "name": "name fullname contact contactname customername 姓名 名字 联系人 联系人姓名 客户姓名",
    "company": "company companyname organization organisation org account 公司 公司名称 单位 "
               "企业 企业名称 客户公司 所属公司",
    "phone": "phone phonenumber mobile mobilephone cell cellphone tel telephone 电话 手机 "
             "手机号 手机号码 联系电话 电话号码 联系方式",
    "email": "email e-mail mail emailaddress 邮箱 电子邮箱 邮件 电子邮件 邮箱地址",
    "title": "title jobtitle position role 职位 职务 头衔 岗位",
    "city": "city town 城市 所在城市 所在地",
    "industry": "industry sector 行业 所属行业",
    "tags": "tags tag labels label 标签",
}
_IGNORED_IN_HEADER = re.compile(r"[\s_\-*:：()（）.]")
HEADERS = {_IGNORED_IN_HEADER.sub("", word): name
           for name, words in _SYNONYMS.items() for word in words.split()}
_FORMULA_GUARD = re.compile(r"'(?=[=+\-@])")  # our CSV export guards cells like "=…" with "'"


@dataclass
class RawRow:
    """A row (or card) number and its values by field name."""

    row: int
    values: dict[str, str]


def file_kind(file_name: str) -> str:
    """'csv', 'xlsx' or 'vcard' from the file name; Invalid for anything else."""
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix == ".xls":
        raise Invalid("transfer.old_excel")
    kind = KINDS.get(suffix)
    if kind is None:
        raise Invalid("transfer.bad_type", name=file_name or "?")
    return kind


def check_size(size: int) -> None:
    """Refuse an empty or oversized file before reading it."""
    if size <= 0:
        raise Invalid("transfer.empty")
    if size > MAX_BYTES:  # rounded up: a file just over 5 MB must not read as "5.0 MB"
        raise Invalid("transfer.too_big", size=f"{math.ceil(size * 10 / 1_048_576) / 10:.1f}",
                      limit=MAX_BYTES // 1_048_576)


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid("transfer.encoding")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed into Excel comes back as 13800138000.0
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return _FORMULA_GUARD.sub("", str(value), count=1)


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    if b"\x00" in content[:1024] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Invalid("transfer.unreadable")
    text = _decode(content)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text, newline=""), dialect)


def _xlsx_rows(content: bytes) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook  # heavy: only when a spreadsheet arrives

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a workbook we can read"
        raise Invalid("transfer.unreadable") from exc
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()


def _table(rows: Iterable[Iterable[Any]]) -> list[RawRow]:
    """Rows under the first non-blank row (the header), numbered as a spreadsheet shows them."""
    columns: dict[int, str] | None = None
    found: list[RawRow] = []
    for number, cells in enumerate(rows, start=1):
        values = [_cell(v).strip() for v in cells]
        if not any(values):
            continue
        if columns is None:
            columns = _columns(values)
            continue
        if len(found) >= MAX_ROWS:
            raise Invalid("transfer.too_many_rows", limit=MAX_ROWS)
        found.append(RawRow(number, {name: values[i] for i, name in columns.items()
                                   if i < len(values)}))
    if not found:
        raise Invalid("transfer.empty")
    return found


def _columns(header: list[str]) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, text in enumerate(header):
        key = _IGNORED_IN_HEADER.sub("", clean_text(text, limit=60, fold=True).casefold())
        name = HEADERS.get(key)
        if name and name not in columns.values():
            columns[index] = name
    if "name" not in columns.values():
        shown = ", ".join(h for h in header if h)[:200]
        raise Invalid("transfer.no_name_column", columns=shown)
    return columns


def _vcard_lines(text: str) -> Iterator[str]:
    """Logical lines: folded lines joined, quoted-printable soft breaks ('=' at the end) too."""
    current = ""
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and current:
            current += line[1:]
        elif current.endswith("=") and "QUOTED-PRINTABLE" in current.upper():
            current = current[:-1] + line
        else:
            if current:
                yield current
            current = line
    if current:
        yield current


def _vcard_value(head: str, value: str) -> str:
    params = [p.upper() for p in head.split(";")[1:]]
    if "ENCODING=QUOTED-PRINTABLE" in params or "QUOTED-PRINTABLE" in params:
        charset = next((p.split("=", 1)[1] for p in params if p.startswith("CHARSET=")), "UTF-8")
        raw = quopri.decodestring(value.encode("ascii", "replace"))
        try:
            value = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            value = raw.decode("utf-8", "replace")
    return value.replace("\\n", " ").replace("\\N", " ")


def _vcard_parts(value: str) -> list[str]:
    """Split a structured value on ';', keeping escaped '\\;' and unescaping ',' too."""
    parts = re.split(r"(?<!\\);", value)
    return [p.replace("\\;", ";").replace("\\,", ",").strip() for p in parts]


def _vcard_rows(content: bytes) -> list[RawRow]:
    text = _decode(content)
    if "BEGIN:VCARD" not in text.upper():
        raise Invalid("transfer.unreadable")
    found: list[RawRow] = []
    card: dict[str, str] | None = None
    for line in _vcard_lines(text):
        head, _, value = line.partition(":")
        prop = head.split(";")[0].split(".")[-1].upper()  # 'item1.TEL;TYPE=CELL' → 'TEL'
        if prop == "BEGIN" and value.strip().upper() == "VCARD":
            card = {}
        elif prop == "END" and card is not None:
            if len(found) >= MAX_ROWS:
                raise Invalid("transfer.too_many_rows", limit=MAX_ROWS)
            found.append(RawRow(len(found) + 1, card))
            card = None
        elif card is not None:
            _vcard_property(card, prop, _vcard_value(head, value))
    if not found:
        raise Invalid("transfer.empty")
    return found


def _vcard_property(card: dict[str, str], prop: str, value: str) -> None:
    parts = _vcard_parts(value)
    if prop == "FN":
        card["name"] = parts[0] if len(parts) == 1 else value
    elif prop == "N" and "name" not in card:
        family, given = (parts + ["", ""])[:2]
        cjk = any("\u4e00" <= ch <= "\u9fff" for ch in family + given)
        card["name"] = family + given if cjk else f"{given} {family}".strip()
    elif prop == "ORG":
        card.setdefault("company", parts[0])
    elif prop in ("TEL", "EMAIL", "TITLE"):
        card.setdefault({"TEL": "phone", "EMAIL": "email", "TITLE": "title"}[prop], value.strip())
    elif prop == "ADR" and len(parts) > 3:
        card.setdefault("city", parts[3])
    elif prop == "CATEGORIES":
        card.setdefault("tags", value.replace("\\,", ","))


def read_rows(content: bytes, file_name: str) -> tuple[str, list[RawRow]]:
    """The file's kind and its raw rows; Invalid with a specific key when it cannot be read."""
    kind = file_kind(file_name)
    check_size(len(content))
    if kind == "xlsx":
        if not content.startswith(b"PK\x03\x04"):
            raise Invalid("transfer.unreadable")
        return kind, _table(_xlsx_rows(content))
    if kind == "vcard":
        return kind, _vcard_rows(content)
    return kind, _table(_csv_rows(content))
