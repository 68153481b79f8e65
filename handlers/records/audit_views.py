"""Text views of the audit area: history lines with before → after, the restore list."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from crm_store.models import AuditLog, Contact
from crm_store.money import format_money
from crm_store.records.restore import RESTORE_WINDOW, Deleted
from handlers.contacts.views import local_time
from handlers.i18n import CATALOGS, Html, Translator, escape

MAX_FIELDS = 3
MAX_VALUE = 40
# Audit rows of these actions say everything in their verb; their fields are bookkeeping.
VERB_ONLY = {"delete", "restore", "export"}
HIDDEN_FIELDS = {"with_contact", "contact_id", "order_id", "by", "invite_id"}
# A new record shows its most telling fields first; ids say little, so they come last.
FIRST_FIELDS = ("name", "title", "amount_minor", "kind", "text", "stage", "due_at", "status",
                "phone", "email")
# Fields holding ids shown by name: field → {id: name} (filled by the handler for one page).
Refs = dict[str, dict[int, str]]
REF_FIELDS = ("owner_id", "company_id")


def _label(t: Translator, group: str, name: str) -> str:
    key = f"audit.{group}.{name}"
    return t.plain(key) if key in CATALOGS["en"] else name


def _value(name: str, value: object, tz: ZoneInfo, currency: str, refs: Refs) -> str:
    if value is None or value == "":
        return "—"
    if name in refs and isinstance(value, int):
        value = refs[name].get(value, f"#{value}")
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if name.endswith("_minor") and isinstance(value, int):
        return format_money(value, currency)
    if name.endswith("_at") and isinstance(value, str):
        try:
            return local_time(datetime.fromisoformat(value), tz)
        except ValueError:
            pass
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def referenced_ids(rows: list[AuditLog]) -> dict[str, set[int]]:
    """The member and company ids a page of rows mentions, to look their names up at once."""
    found: dict[str, set[int]] = {name: set() for name in REF_FIELDS}
    for row in rows:
        for values in (row.before or {}, row.after or {}):
            for name in REF_FIELDS:
                if isinstance(values.get(name), int):
                    found[name].add(values[name])
    return found


def _order(row: AuditLog) -> list[str]:
    before, after = row.before or {}, row.after or {}
    names = [n for n in dict.fromkeys([*after, *before]) if n not in HIDDEN_FIELDS]
    if row.before is not None:
        return names
    shown = [n for n in names if after.get(n) not in (None, "", [], {})]
    return sorted(shown, key=lambda n: FIRST_FIELDS.index(n) if n in FIRST_FIELDS else 99)


def changes(row: AuditLog, t: Translator, tz: ZoneInfo, currency: str,
            refs: Refs | None = None) -> str:
    """'stage: lead → proposal; amount: ¥1,000 → ¥2,000' (plain text, not yet escaped)."""
    if row.action in VERB_ONLY:
        return ""
    refs = refs or {}
    before, after = row.before or {}, row.after or {}
    names = _order(row)
    parts = []
    for name in names[:MAX_FIELDS]:
        label = _label(t, "field", name)
        new = _value(name, after.get(name), tz, currency, refs)
        if name in before and before.get(name) is not None:
            old = _value(name, before.get(name), tz, currency, refs)
            parts.append(f"{label}: {old} → {new}")
        else:
            parts.append(f"{label}: {new}")
    if len(names) > MAX_FIELDS:
        parts.append(f"+{len(names) - MAX_FIELDS}")
    return "; ".join(parts)


def history_line(
    row: AuditLog, actor: str | None, t: Translator, tz: ZoneInfo, currency: str,
    refs: Refs | None = None,
) -> Html:
    """One line of /audit: local time, who, what, and the fields that changed."""
    head = t("audit.line", time=local_time(row.at, tz), actor=actor or t.plain("audit.system"),
             action=_label(t, "action", row.action), entity=_label(t, "entity", row.entity),
             id=row.entity_id)
    detail = changes(row, t, tz, currency, refs)
    return Html(f"{head}: {escape(detail)}" if detail else head)


def history(
    contact: Contact, rows: list[tuple[AuditLog, str | None]], t: Translator, tz: ZoneInfo,
    currency: str, first_page: bool, refs: Refs | None = None,
) -> Html:
    """The /audit page: a title on the first page, then one line per change."""
    if not rows:
        return t("audit.empty", name=contact.name)
    lines = []
    if first_page:
        lines.append(t("audit.title", name=contact.name))
        if contact.deleted_at is not None:
            lines.append(t("audit.deleted_note"))
    lines += [history_line(row, actor, t, tz, currency, refs) for row, actor in rows]
    return Html("\n".join(lines))


def deleted_line(item: Deleted, t: Translator, tz: ZoneInfo) -> Html:
    """One line of the /restore list."""
    when = local_time(item.deleted_at, tz)
    amount = format_money(item.amount_minor or 0, item.currency)
    if item.kind == "c":
        return t("audit.restore.line_contact", name=item.contact_name, when=when)
    if item.kind == "d":
        return t("audit.restore.line_deal", title=item.title, name=item.contact_name,
                 amount=amount, when=when)
    return t("audit.restore.line_order", id=item.id, name=item.contact_name, amount=amount,
             when=when)


def deleted_list(items: list[Deleted], t: Translator, tz: ZoneInfo) -> Html:
    """The /restore list: what can still be brought back."""
    days = RESTORE_WINDOW.days
    lines: list[str] = [t("audit.restore.title", days=days)]
    lines += [f"{number}. {deleted_line(item, t, tz)}" for number, item in enumerate(items, 1)]
    return Html("\n".join(lines))


def button_label(item: Deleted, t: Translator) -> str:
    """The Restore button's label for one deleted record."""
    label = {"c": item.contact_name, "d": f"{item.title} · {item.contact_name}",
             "o": f"#{item.id} · {item.contact_name}"}[item.kind]
    return t.plain("audit.restore.button", label=label)
