"""Text views: records in, HTML out; user data escaped by the translator or `escape`."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from crm_store.contacts.contacts import ContactCard
from crm_store.contacts.search import Hit
from crm_store.models import Contact, Interaction
from handlers.i18n import Html, Translator, escape

KIND_ICONS = {"call": "📞", "visit": "🚗", "meeting": "🤝", "message": "💬", "email": "✉️",
              "note": "📝"}
PREVIEW = 160


def local_time(at: datetime | None, tz: ZoneInfo) -> str:
    """Show a stored UTC time in the member's zone."""
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else "—"


def contact_line(contact: Contact, company: str | None = None) -> Html:
    """One line naming a contact: bold name, company, phone."""
    parts = [f"<b>{escape(contact.name)}</b>"]
    if company:
        parts.append(escape(company))
    if contact.phone:
        parts.append(escape(contact.phone))
    return Html(" · ".join(parts))


def interaction_line(item: Interaction, t: Translator, tz: ZoneInfo) -> Html:
    """One line of the recent-activity list."""
    text = item.text if len(item.text) <= PREVIEW else item.text[:PREVIEW] + "…"
    kind = t.plain(f"kind.{item.kind.value}")
    return Html(
        f"{KIND_ICONS.get(item.kind.value, '•')} {local_time(item.occurred_at, tz)} "
        f"{escape(kind)}: {escape(text)}"
    )


def contact_card(
    card: ContactCard, t: Translator, tz: ZoneInfo, sections: list[Html] | None = None
) -> Html:
    """The contact card: details, owner, last contacted, area sections, recent interactions."""
    c = card.contact
    lines = [f"👤 <b>{escape(c.name)}</b>"]
    fields = (
        ("card.company", card.company), ("card.title", c.title), ("card.phone", c.phone),
        ("card.email", c.email), ("card.city", c.city), ("card.industry", c.industry),
    )
    lines += [t("card.field", label=t.plain(key), value=value) for key, value in fields if value]
    lines.append(t("card.owner", owner=card.owner))
    lines.append(t("card.last_contacted", when=local_time(c.last_contacted_at, tz)))
    for section in sections or []:
        lines += ["", section]
    if card.recent:
        lines.append("")
        lines.append(t("card.recent"))
        lines += [interaction_line(item, t, tz) for item in card.recent]
    else:
        lines.append(t("card.no_activity"))
    return Html("\n".join(lines))


def search_results(
    hits: list[tuple[Contact, Hit]], companies: dict[int, str], t: Translator, query: str
) -> Html:
    """The list /find shows above its buttons."""
    lines: list[str] = [t("find.results", count=len(hits), query=query)]
    for number, (contact, _hit) in enumerate(hits, 1):
        company = companies.get(contact.company_id) if contact.company_id else None
        lines.append(f"{number}. {contact_line(contact, company)}")
    return Html("\n".join(lines))
