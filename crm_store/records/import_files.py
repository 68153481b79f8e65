"""Read contact files (CSV in UTF-8/GBK/Windows-1252, XLSX, vCard) into raw rows under known
columns."""

from __future__ import annotations

import codecs
import csv
import io
import math
import quopri
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from crm_store.contacts.normalize import clean_text
from crm_store.errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # an XLSX that unpacks to more is a zip bomb, not contacts
MAX_CELL = 1_000  # characters kept of a cell before cleaning: no field we keep is longer
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
_FORMULA_GUARD = re.compile(r"\A'(?=[=+\-@])")  # our export guards cells like "=…" with "'"
_LATIN_LETTER = re.compile(r"[A-Za-z]")
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "gb18030": "GBK/GB18030",
                  "cp1252": "Windows-1252 (Latin-1)"}


@dataclass
class RawRow:
    """A row (or card) number and its values by field name."""

    row: int
    values: dict[str, str]
    error: str = ""  # a catalog key: the row could not be read as it stands


@dataclass
class FileRows:
    """What a file holds: its kind, its rows and, for text files, the encoding it was read in."""

    kind: str
    rows: list[RawRow] = field(default_factory=list)
    encoding: str = ""  # a key of ENCODING_NAMES; "" for XLSX


def file_kind(file_name: str) -> str:
    """'csv', 'xlsx' or 'vcard' from the file name; Invalid for anything else."""
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix == ".xls":
        raise Invalid("import.old_excel")
    kind = KINDS.get(suffix)
    if kind is None:
        raise Invalid("import.bad_type", name=file_name or "?")
    return kind


def check_size(size: int) -> None:
    """Refuse an empty or oversized file before reading it."""
    if size <= 0:
        raise Invalid("import.empty")
    if size > MAX_BYTES:  # rounded up: a file just over 5 MB must not read as "5.0 MB"
        raise Invalid("import.too_big", size=f"{math.ceil(size * 10 / 1_048_576) / 10:.1f}",
                      limit=MAX_BYTES // 1_048_576)


def _decoded(content: bytes, encoding: str) -> str | None:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        return None


def _latin_share(text: str, *, single_only: bool) -> float:
    """The share of non-ASCII characters that sit next to a Latin letter, as in "Müller".

    With `single_only`, only characters standing alone between ASCII (no non-ASCII neighbour)
    count: Latin-1 read as GBK turns "Jürgen" into "J" + one CJK character + "gen", while real
    Chinese comes in runs ("张伟", "VIP客户").
    """
    seen = hits = 0
    for index, ch in enumerate(text):
        if ch.isascii():
            continue
        seen += 1
        before, after = text[index - 1:index] or " ", text[index + 1:index + 2] or " "
        if single_only and not (before.isascii() and after.isascii()):
            continue
        hits += bool(_LATIN_LETTER.match(before) or _LATIN_LETTER.match(after))
    return hits / seen if seen else 0.0


def _decode(content: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (BOM or not), UTF-16 with a BOM, then GB18030 (a
    superset of GBK) or Windows-1252, whichever reads as plausible text."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16"), "utf-16"
    text = _decoded(content, "utf-8-sig")
    if text is not None:
        return text, "utf-8-sig"
    chinese, western = _decoded(content, "gb18030"), _decoded(content, "cp1252")
    if chinese is not None and _latin_share(chinese, single_only=True) < 0.5:
        return chinese, "gb18030"
    if western is not None and _latin_share(western, single_only=False) >= 0.5:
        return western, "cp1252"
    if chinese is not None:
        return chinese, "gb18030"
    raise Invalid("import.encoding")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed into Excel comes back as 13800138000.0
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return _FORMULA_GUARD.sub("", str(value)[:MAX_CELL], count=1)


class _CsvRecords:
    """The records of a CSV text; `rewind()` reads the lines of the last record again as
    records of their own, from its second line on.

    A stray quote ('"ACME Ltd,…') makes the reader run the rest of the file into one field:
    the table reports that record as an error and rewinds, so no row after it is lost.
    """

    BROKEN: list[str] = []  # noqa: RUF012 - a sentinel: a record too long to be real

    def __init__(self, text: str, dialect: Any) -> None:
        self.lines = io.StringIO(text, newline="").readlines()
        self.pos = self.first = 0
        self.reader = csv.reader(self, dialect)

    def __iter__(self) -> _CsvRecords:
        return self

    def __next__(self) -> str:  # the reader pulls its lines from here; it asks again after EOF
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]

    def records(self) -> Iterator[list[str]]:
        """Each record in turn; BROKEN for a field past the csv module's limit (128 KB)."""
        while True:
            self.first = self.pos
            try:
                yield next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" not in str(exc):
                    raise Invalid("import.bad_csv", line=self.first + 1) from exc
                self.rewind()
                yield self.BROKEN

    def rewind(self) -> None:
        """Read again from the second line of the last record."""
        self.pos = self.first + 1


def _csv_rows(content: bytes) -> FileRows:
    if b"\x00" in content[:1024] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Invalid("import.unreadable")
    text, encoding = _decode(content)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    records = _CsvRecords(text, dialect)
    return FileRows("csv", _table(records.records(), rewind=records.rewind), encoding)


def check_unzipped_size(content: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_UNZIPPED_BYTES (a zip bomb).

    zipfile stops each part at its declared size (a part that lies fails its CRC), so the
    declared sizes bound what openpyxl can read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Invalid("import.unreadable") from exc
    if unpacked > MAX_UNZIPPED_BYTES:
        raise Invalid("import.too_big_unzipped", limit=MAX_UNZIPPED_BYTES // 1_048_576)


def _xlsx_rows(content: bytes) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook  # heavy: only when a spreadsheet arrives

    check_unzipped_size(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a workbook we can read"
        raise Invalid("import.unreadable") from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # read-only mode trusts <dimension>, often stale: read it all
        # Rows are parsed as they are read: a broken part, or a DTD with entities (refused by
        # defusedxml, which openpyxl uses when it is installed), fails here, not on opening.
        yield from sheet.iter_rows(values_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a workbook we can read"
        raise Invalid("import.unreadable") from exc
    finally:
        book.close()


def _table(rows: Iterable[Iterable[Any]],
           rewind: Callable[[], None] | None = None) -> list[RawRow]:
    """Rows under the first non-blank row (the header), numbered as a spreadsheet shows them.

    With `rewind` (CSV), a line break in a column we keep — every kept column is one line —
    or a record past the field limit means a quote left open: the row becomes an error and
    the lines it swallowed are read again.
    """
    columns: dict[int, str] | None = None
    found: list[RawRow] = []
    for number, cells in enumerate(rows, start=1):
        if cells is _CsvRecords.BROKEN:
            values: list[str] = []
            broken = True
        else:
            values = [_cell(v).strip() for v in cells]
            broken = rewind is not None and columns is not None and any(
                "\n" in values[i] or "\r" in values[i] for i in columns if i < len(values))
        if not any(values) and not broken:
            continue
        if columns is None:
            columns = _columns(values)
            continue
        if len(found) >= MAX_ROWS:
            raise Invalid("import.too_many_rows", limit=MAX_ROWS)
        if broken:
            if rewind is not None:
                rewind()
            found.append(RawRow(number, {}, error="import.reason.open_quote"))
            continue
        found.append(RawRow(number, {name: values[i] for i, name in columns.items()
                                   if i < len(values)}))
    if not found:
        raise Invalid("import.empty")
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
        raise Invalid("import.no_name_column", columns=shown)
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


def _vcard_rows(content: bytes) -> FileRows:
    text, encoding = _decode(content)
    if "BEGIN:VCARD" not in text.upper():
        raise Invalid("import.unreadable")
    found: list[RawRow] = []

    def add(card: dict[str, str], error: str = "") -> None:
        if len(found) >= MAX_ROWS:
            raise Invalid("import.too_many_rows", limit=MAX_ROWS)
        found.append(RawRow(len(found) + 1, card, error=error))

    card: dict[str, str] | None = None
    for line in _vcard_lines(text):
        head, _, value = line.partition(":")
        prop = head.split(";")[0].split(".")[-1].upper()  # 'item1.TEL;TYPE=CELL' → 'TEL'
        if prop == "BEGIN" and value.strip().upper() == "VCARD":
            if card is not None:  # the previous card never ended: cut off
                add(card, "import.reason.card_cut")
            card = {}
        elif prop == "END" and card is not None:
            add(card)
            card = None
        elif card is not None:
            _vcard_property(card, prop, _vcard_value(head, value)[:MAX_CELL])
    if card is not None:  # the file ends inside a card
        add(card, "import.reason.card_cut")
    if not found:
        raise Invalid("import.empty")
    return FileRows("vcard", found, encoding)


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
    """The file's kind and raw rows; Invalid with a specific key when it cannot be read."""
    found = read_file(content, file_name)
    return found.kind, found.rows


def read_file(content: bytes, file_name: str) -> FileRows:
    """The file's kind, raw rows and encoding; Invalid with a specific key when unreadable."""
    kind = file_kind(file_name)
    check_size(len(content))
    if kind == "xlsx":
        if not content.startswith(b"PK\x03\x04"):
            raise Invalid("import.unreadable")
        return FileRows(kind, _table(_xlsx_rows(content)))
    if kind == "vcard":
        return _vcard_rows(content)
    return _csv_rows(content)
