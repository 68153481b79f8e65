"""What identifies a person in stored text, and where else a team's records mention them.

An erasure must find the person however they were typed: a phone as `138 0013 8000`,
`13800138000` or `+86 138-0013-8000`; a name in another letter case, or as it was before an
edit (the audit trail keeps earlier names); an e-mail in capitals. `Traces` matches all of
those; `find_mentions` lists other customers' records and audit copies that name the person.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import phonenumbers
from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, col, select

from crm_store.models import (
    AuditLog,
    Campaign,
    Contact,
    Coupon,
    Deal,
    Feedback,
    Interaction,
    LoyaltyEntry,
    Order,
    Task,
)

MIN_TRACE = 2  # a one-letter "name" would match everything
SEPARATORS = r"[\s\-().·]*"  # what people put between the digits of a phone number

# Free-text columns of records that may mention someone else than their own contact.
TEXT_FIELDS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (Interaction, ("text",)),
    (Task, ("text",)),
    (Feedback, ("text", "resolution")),
    (Order, ("note",)),
    (Deal, ("title", "lost_reason")),
    (LoyaltyEntry, ("reason",)),
    (Coupon, ("note",)),
    (Campaign, ("goal", "template")),
)


def _national_digits(phone: str) -> list[str]:
    """The number's digits as typed at home and with the country code (E.164 digits)."""
    digits = re.sub(r"\D", "", phone)
    found = [digits] if len(digits) >= 6 else []
    try:
        national = str(phonenumbers.parse(phone if phone.startswith("+") else "+" + digits,
                                          None).national_number)
    except phonenumbers.NumberParseException:
        return found
    return [*found, national] if len(national) >= 6 else found


@dataclass(frozen=True)
class Traces:
    """Names, e-mails and phone numbers of one person, matched the way people type them."""

    names: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]  # digit strings

    @classmethod
    def of(cls, contact: Contact, earlier: Iterable[dict[str, Any] | None] = ()) -> Traces:
        """The contact's traces now and in `earlier` copies of it (audit before/after)."""
        copies = [{"name": contact.name, "phone": contact.phone, "email": contact.email},
                  *[c for c in earlier if c]]
        names = {str(c["name"]).strip() for c in copies if c.get("name")}
        emails = {str(c["email"]).strip() for c in copies if c.get("email")}
        phones = {d for c in copies if c.get("phone") for d in _national_digits(str(c["phone"]))}
        keep = sorted({n for n in names | emails if len(n) >= MIN_TRACE}, key=len, reverse=True)
        return cls(names=tuple(n for n in keep if n in names),
                   emails=tuple(e for e in keep if e in emails),
                   phones=tuple(sorted(phones, key=len, reverse=True)))

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """One case-insensitive pattern for every trace (longest first), or None."""
        parts = [re.escape(t) for t in (*self.names, *self.emails)]
        parts += [SEPARATORS.join(re.escape(d) for d in digits) for digits in self.phones]
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def found_in(self, text: str) -> bool:
        """Whether `text` mentions the person."""
        pattern = self.pattern
        return bool(pattern and pattern.search(text))

    def blank(self, text: str, replacement: str) -> str:
        """`text` with every mention of the person replaced."""
        pattern = self.pattern
        return pattern.sub(replacement, text) if pattern else text

    def blank_json(self, value: Any, replacement: str) -> Any:
        """A JSON value with every string in it blanked."""
        if isinstance(value, str):
            return self.blank(value, replacement)
        if isinstance(value, list):
            return [self.blank_json(item, replacement) for item in value]
        if isinstance(value, dict):
            return {k: self.blank_json(v, replacement) for k, v in value.items()}
        return value

    def sql_hint(self, column: Any, *, json_text: bool = False) -> Any:
        """A cheap SQL pre-filter: rows that might mention the person (checked again after).

        `json_text`: the column holds JSON, stored with non-ASCII escaped (\\u738b).
        """
        words = [t.casefold() for t in (*self.names, *self.emails)]
        if json_text:
            words += [json.dumps(w)[1:-1].casefold() for w in words if not w.isascii()]
        likes = [func.lower(column).contains(w, autoescape=True) for w in words]
        likes += [column.contains(digits[-4:]) for digits in self.phones]
        return or_(*likes)


@dataclass(frozen=True)
class Mention:
    """A field of another record (or of an audit copy) that names the person."""

    model: Any
    row_id: int
    field: str


def find_mentions(session: Session, contact: Contact, traces: Traces,
                  own_audit: set[int]) -> list[Mention]:
    """Free text in the team's other records, and audit copies of them, naming the person.

    `own_audit`: ids of the audit rows of the contact's own records (scrubbed with it).
    """
    if traces.pattern is None:
        return []
    return [*_record_mentions(session, contact, traces),
            *_audit_mentions(session, contact, traces, own_audit)]


def _record_mentions(session: Session, contact: Contact, traces: Traces) -> Iterator[Mention]:
    for model, fields in TEXT_FIELDS:
        own = ([col(model.contact_id).is_distinct_from(contact.id)]
               if hasattr(model, "contact_id") else [])
        for field in fields:
            column = col(getattr(model, field))
            stmt = select(model.id, column).where(model.team_id == contact.team_id, *own,
                                                  traces.sql_hint(column))
            for row_id, text in session.exec(stmt):
                if text and traces.found_in(text):
                    yield Mention(model, row_id, field)


def _audit_mentions(session: Session, contact: Contact, traces: Traces,
                    own_audit: set[int]) -> Iterator[Mention]:
    """Audit copies of other records (the contact's own are scrubbed with it)."""
    copies = or_(traces.sql_hint(cast(AuditLog.before, String), json_text=True),
                 traces.sql_hint(cast(AuditLog.after, String), json_text=True))
    stmt = select(AuditLog).where(AuditLog.team_id == contact.team_id, copies)
    for row in session.exec(stmt):
        if row.id in own_audit:
            continue
        for field in ("before", "after"):
            copy = getattr(row, field)
            if copy and traces.found_in(_strings(copy)):
                yield Mention(AuditLog, row.id or 0, field)


def _strings(value: Any) -> str:
    """Every string inside a JSON value, one per line."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_strings(v) for v in value)
    return ""


def blank_mentions(session: Session, mentions: list[Mention], traces: Traces,
                   replacement: str) -> int:
    """Replace the person in every mentioned field; return how many fields changed."""
    for mention in mentions:
        row = session.get(mention.model, mention.row_id)
        if row is None:
            continue
        value = getattr(row, mention.field)
        setattr(row, mention.field, traces.blank_json(value, replacement))
        session.add(row)
    return len(mentions)
