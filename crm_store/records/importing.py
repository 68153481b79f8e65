"""Import contacts from CSV, XLSX and vCard: a preview first, rows written only on confirm."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import insert
from sqlmodel import Session, col, select

from crm_store.clock import utcnow
from crm_store.contacts import search
from crm_store.contacts.contacts import _AUDITED, NewContact, _normalised
from crm_store.contacts.normalize import clean_text, company_key
from crm_store.errors import Invalid
from crm_store.models import AuditLog, Company, Contact, Member
from crm_store.records.import_files import (
    ENCODING_NAMES,
    MAX_BYTES,
    MAX_ROWS,
    RawRow,
    check_size,
    file_kind,
    read_file,
)
from crm_store.sql import select_columns
from crm_store.team.members import visible_owner_ids

__all__ = ["MAX_BYTES", "MAX_ROWS", "check_size", "file_kind", "preview_import",
           "commit_import"]

MAX_TAGS = 20
SIMILAR_NAME_SCORE = 90  # the same rule as contacts.find_duplicates
_TAG_SPLIT = re.compile(r"[,，;；、|]")
_name_keys = lru_cache(maxsize=50_000)(search.name_keys)  # pinyin is the slow part of a row


@dataclass
class ImportRow:
    """One contact ready to be written, with the row (or card) number it came from."""

    row: int
    name: str
    company: str | None = None
    phone: str | None = None
    email: str | None = None
    title: str | None = None
    city: str | None = None
    industry: str | None = None
    tags: list[str] = field(default_factory=list)

    def to_json(self) -> list[Any]:
        """A compact list for the pending import kept with the dialog."""
        return [self.row, self.name, self.company, self.phone, self.email, self.title,
                self.city, self.industry, self.tags]

    @classmethod
    def from_json(cls, data: list[Any]) -> ImportRow:
        """Rebuild a row stored by `to_json`."""
        row, name, company, phone, email, title, city, industry, tags = data[:9]
        return cls(row, name, company, phone, email, title, city, industry, list(tags or []))


@dataclass(frozen=True)
class RowIssue:
    """Why a row is not imported: a catalog key and its parameters."""

    row: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPreview:
    """What an import would do: rows to add, duplicates and errors (nothing written yet)."""

    kind: str
    encoding: str = ""  # how a text file was decoded ("UTF-8", "GBK/GB18030"…); "" for XLSX
    ok: list[ImportRow] = field(default_factory=list)
    duplicates: list[RowIssue] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Rows read from the file (blank rows not counted)."""
        return len(self.ok) + len(self.duplicates) + len(self.errors)


@dataclass
class ImportResult:
    """What confirming an import wrote."""

    created: int
    skipped: int  # rows that became duplicates between the preview and the confirmation


_REASONS = {"error.name_required": "import.reason.name", "error.phone": "import.reason.phone",
            "error.email": "import.reason.email"}


def _validated(raw: RawRow, region: str) -> ImportRow:
    """Normalise one row the way /add does; Invalid with a row reason otherwise."""
    values = raw.values
    try:
        data = _normalised(NewContact(
            name=values.get("name", ""), company=values.get("company") or None,
            phone=values.get("phone") or None, email=values.get("email") or None,
            title=values.get("title") or None, city=values.get("city") or None,
            source="import"), region)
    except Invalid as exc:
        raise Invalid(_REASONS.get(exc.key, exc.key), **exc.params) from exc
    tags = [clean_text(t, limit=40) for t in _TAG_SPLIT.split(values.get("tags", ""))]
    return ImportRow(row=raw.row, name=data.name, company=data.company, phone=data.phone,
                     email=data.email, title=data.title, city=data.city,
                     industry=clean_text(values.get("industry", ""), limit=80) or None,
                     tags=list(dict.fromkeys(t for t in tags if t))[:MAX_TAGS])


@dataclass
class _Match:
    contact_id: int | None  # None: an earlier row of the same file
    owner_id: int | None
    name: str
    row: int = 0


class _DuplicateIndex:
    """contacts.find_duplicates for many rows at once: same phone or email, or a very similar
    name at the same company — against the team's contacts and the rows already accepted.
    A row with nothing but a name duplicates a contact of exactly that name."""

    def __init__(self, session: Session, actor: Member) -> None:
        self.phones: dict[str, _Match] = {}
        self.emails: dict[str, _Match] = {}
        self.companies: dict[str, list[list[Any]]] = {}  # [name folded, pinyin, match]
        self.names: dict[str, _Match] = {}
        stmt = (select_columns(Contact.id, Contact.owner_id, Contact.name, Contact.pinyin_full,
                               Contact.phone, Contact.email, Company.name_key)
                .join(Company, col(Contact.company_id) == Company.id, isouter=True)
                .where(Contact.team_id == actor.team_id, col(Contact.deleted_at).is_(None)))
        for cid, owner, name, pinyin, phone, email, key in session.exec(stmt):
            self._add(_Match(cid, owner, name), phone, email, key, pinyin)

    def _add(self, match: _Match, phone: str | None, email: str | None, key: str | None,
             pinyin: str | None) -> None:
        if phone:
            self.phones.setdefault(phone, match)
        if email:
            self.emails.setdefault(email, match)
        self.names.setdefault(match.name.casefold(), match)
        if key:
            self.companies.setdefault(key, []).append([match.name.casefold(), pinyin, match])

    def find(self, row: ImportRow) -> _Match | None:
        """The first contact or earlier row this row duplicates, if any."""
        found = (row.phone and self.phones.get(row.phone)) or (
            row.email and self.emails.get(row.email))
        if found:
            return found
        if not (row.phone or row.email or row.company):
            # Bulk-only rule: a bare name would otherwise be added again on every re-import.
            return self.names.get(row.name.casefold())
        same_company = self.companies.get(company_key(row.company)) if row.company else None
        if not same_company:
            return None
        name = row.name.casefold()
        pinyin = _name_keys(row.name)[0]
        for entry in same_company:
            match: _Match = entry[2]
            if fuzz.ratio(entry[0], name) >= SIMILAR_NAME_SCORE:
                return match
            if pinyin and entry[1] is None:  # rows of the file get their pinyin only when asked
                entry[1] = _name_keys(match.name)[0]
            if pinyin and fuzz.ratio(entry[1], pinyin) >= SIMILAR_NAME_SCORE:
                return match
        return None

    def accept(self, row: ImportRow) -> None:
        """Remember an accepted row, so later rows of the file are checked against it."""
        self._add(_Match(None, None, row.name, row.row), row.phone, row.email,
                  company_key(row.company) if row.company else None, None)


def _duplicate_issue(row: ImportRow, match: _Match, visible: set[int] | None) -> RowIssue:
    if match.contact_id is None:
        return RowIssue(row.row, "import.reason.dup_row", {"other": match.row})
    if visible is None or match.owner_id in visible:
        return RowIssue(row.row, "import.reason.dup_contact", {"name": match.name})
    return RowIssue(row.row, "import.reason.dup_hidden")


def preview_import(
    session: Session, *, actor: Member, content: bytes, file_name: str, region: str = "CN"
) -> ImportPreview:
    """Read a file and sort its rows into new contacts, duplicates and errors; write nothing."""
    found = read_file(content, file_name)
    preview = ImportPreview(kind=found.kind, encoding=ENCODING_NAMES.get(found.encoding, ""))
    index = _DuplicateIndex(session, actor)
    visible = visible_owner_ids(session, actor)
    for raw in found.rows:
        if raw.error:  # e.g. a quote left open, a vCard cut off
            preview.errors.append(RowIssue(raw.row, raw.error))
            continue
        try:
            row = _validated(raw, region)
        except Invalid as exc:
            preview.errors.append(RowIssue(raw.row, exc.key, dict(exc.params)))
            continue
        match = index.find(row)
        if match is not None:
            preview.duplicates.append(_duplicate_issue(row, match, visible))
            continue
        index.accept(row)
        preview.ok.append(row)
    return preview


def commit_import(session: Session, *, actor: Member, rows: list[ImportRow]) -> ImportResult:
    """Write previewed rows as contacts owned by `actor`, in the caller's transaction.

    Rows are checked for duplicates again: a colleague may have added one since the preview.
    Contacts are built like contacts.create_contact (same fields, same audit entry), in bulk.
    """
    index = _DuplicateIndex(session, actor)
    fresh = []
    for row in rows:
        if index.find(row) is None:
            index.accept(row)
            fresh.append(row)
    companies = _companies(session, actor.team_id, {r.company for r in fresh if r.company})
    now = utcnow()
    values = []
    for row in fresh:
        full, initials = _name_keys(row.name)
        values.append({
            "team_id": actor.team_id, "owner_id": actor.id or 0, "name": row.name,
            "company_id": companies.get(company_key(row.company)) if row.company else None,
            "pinyin_full": full, "pinyin_initials": initials, "phone": row.phone,
            "email": row.email, "title": row.title, "city": row.city, "industry": row.industry,
            "tags": row.tags, "source": "import", "lifecycle_stage": "prospect",
            "birthday_lunar": False, "created_at": now, "updated_at": now})
    created: list[int] = []
    if values:  # core bulk INSERT … RETURNING: ORM objects cost a second per thousand rows
        stmt = insert(Contact).returning(col(Contact.id), sort_by_parameter_order=True)
        created = list(session.execute(stmt, values).scalars())
        session.execute(insert(AuditLog), [
            {"team_id": actor.team_id, "actor_id": actor.id, "action": "create",
             "entity": "contact", "entity_id": cid, "before": None, "at": now,
             "after": {k: v for k, v in value.items() if k in _AUDITED}}
            for cid, value in zip(created, values, strict=True)])
    return ImportResult(created=len(created), skipped=len(rows) - len(created))


def _companies(session: Session, team_id: int, names: set[str]) -> dict[str, int]:
    """Company ids by key, creating the companies the team does not have yet."""
    stmt = select(Company.name_key, Company.id).where(Company.team_id == team_id)
    known = {key: cid for key, cid in session.exec(stmt) if cid is not None}
    new: dict[str, str] = {}
    for name in sorted(names):
        key = company_key(name)
        if key not in known:
            new.setdefault(key, name)
    if new:
        adding = insert(Company).returning(col(Company.id), sort_by_parameter_order=True)
        ids = session.execute(adding, [{"team_id": team_id, "name": name, "name_key": key,
                                      "created_at": utcnow()} for key, name in new.items()])
        known.update(zip(new, ids.scalars(), strict=True))
    return known
