"""Deal text in and out: parse what reps type; render the card, the pipeline and stages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from crm_store.errors import Invalid
from crm_store.models import Deal, DealStatus
from crm_store.money import format_money, parse_amount
from crm_store.sales.deals import DealCard, StageGroup, weighted_amount
from crm_store.sales.pipeline import Stage
from handlers.callbacks import Callback
from handlers.contacts.buttons import OpenContact
from handlers.contacts.views import local_time
from handlers.deals.buttons import CloseDate, LoseDeal, MoveStage, OpenDeal, WinDeal
from handlers.i18n import CATALOGS, Html, Translator
from handlers.types import Button

CLOSE_WORDS = {"close", "closes", "closing", "预计成交", "成交", "预计"}
_STAGE_ITEM = re.compile(r"(\S+)\s+(-?\d{1,4})\s*%?")
MAX_BUTTONS = 20
LABEL = 60


def is_amount(word: str) -> bool:
    """Tell whether a word is meant as an amount (zero and negative ones included)."""
    probe = word.replace("-", "", 1) if word.lstrip("¥￥$€£").startswith("-") else word
    try:
        parse_amount(probe, allow_zero=True)
    except Invalid as exc:
        return exc.key == "error.amount_too_large"
    return True


def parse_deal_amount(text: str) -> int:
    """'5万' → 5_000_000 minor units; zero, negative and non-numeric amounts get their message."""
    text = text.strip()
    if text.lstrip("¥￥$€£").startswith("-") and is_amount(text):
        raise Invalid("deal.amount_negative")
    if parse_amount(text, allow_zero=True) == 0:
        raise Invalid("deal.amount_zero")
    return parse_amount(text)


def split_deal_args(words: list[str]) -> tuple[list[str], list[str], str, str]:
    """Split /deal words into (contact and title words, words after the amount, amount, date)."""
    close_text = ""
    for i in range(len(words) - 1, 1, -1):
        if words[i].lower() in CLOSE_WORDS and is_amount(words[i - 1]):
            if i == len(words) - 1:
                raise Invalid("deal.bad_date", value=words[i])
            words, close_text = words[:i], " ".join(words[i + 1 :])
            break
    at = next((i for i in range(len(words) - 1, 0, -1) if is_amount(words[i])), None)
    if at is None:
        raise Invalid("deal.need_amount")
    return words[:at], words[at + 1 :], words[at], close_text


def parse_stages(text: str) -> list[tuple[str, int]]:
    """'lead 10, qualified 25%' → [('lead', 10), ('qualified', 25)]."""
    parsed = []
    for item in (p.strip() for p in re.split(r"[,，;；\n]", text)):
        match = _STAGE_ITEM.fullmatch(item)
        if match is None:
            if item:
                raise Invalid("deal.stage_item", value=item[:40])
            continue
        parsed.append((match[1].lower(), int(match[2])))
    return parsed


def stage_name(key: str, t: Translator) -> str:
    """A stage's display name: translated for the default stages, the key for custom ones."""
    catalog_key = f"stage.{key}"
    return t.plain(catalog_key) if catalog_key in CATALOGS[t.language] else key


def money(deal: Deal, minor: int | None = None) -> str:
    """An amount in the deal's currency."""
    return format_money(deal.amount_minor if minor is None else minor, deal.currency)


def deal_card(card: DealCard, t: Translator, tz: ZoneInfo, now: datetime) -> Html:
    """The deal card: amounts, stage, dates, status and stage history."""
    deal = card.deal
    stage_key = "deal.card_stage" if card.stage else "deal.card_stage_removed"
    lines: list[str] = [
        t("deal.card_title", title=deal.title),
        t("deal.card_contact", name=card.contact.name),
        t("deal.card_owner", owner=card.owner),
        t("deal.card_amount", amount=money(deal)),
        t(stage_key, stage=stage_name(deal.stage, t), probability=deal.probability),
        t("deal.card_weighted", amount=money(deal, weighted_amount(deal))),
        t("deal.card_close", date=deal.expected_close.isoformat() if deal.expected_close
          else "—"),
        t("deal.card_status", status=t.plain(f"deal.status_{deal.status.value}")),
    ]
    if deal.status == DealStatus.OPEN:
        lines.append(t("deal.card_days", days=max(0, (now - deal.stage_entered_at).days)))
    if deal.lost_reason:
        lines.append(t("deal.card_lost_reason", reason=deal.lost_reason))
    if card.history:
        lines += ["", t("deal.card_history")]
    for entry in card.history[-10:]:
        when = local_time(entry.at, tz)
        if entry.from_stage is None:
            lines.append(t("deal.history_created", when=when, member=entry.member,
                           stage=stage_name(entry.to_stage, t)))
        else:
            lines.append(t("deal.history_move", when=when, member=entry.member,
                           from_stage=stage_name(entry.from_stage, t),
                           to_stage=stage_name(entry.to_stage, t)))
    return Html("\n".join(lines))


def card_buttons(card: DealCard, t: Translator) -> list[list[Button]]:
    """Move buttons for the other open stages, Won, Lost, close date, and the contact."""
    deal, rows = card.deal, []
    deal_id = deal.id or 0
    if deal.status == DealStatus.OPEN:
        moves = [Button(t.plain("deal.button_move", stage=stage_name(s.key, t))[:LABEL],
                        MoveStage(deal_id, s.key).pack())
                 for s in card.open_stages if s.key != deal.stage]
        rows += [moves[i : i + 2] for i in range(0, len(moves), 2)]
        rows.append([Button(t.plain("deal.button_won"), WinDeal(deal_id).pack()),
                     Button(t.plain("deal.button_lost"), LoseDeal(deal_id).pack())])
        rows.append([Button(t.plain("deal.button_close"), CloseDate(deal_id).pack())])
    rows.append([Button(t.plain("deal.button_contact", name=card.contact.name)[:LABEL],
                        OpenContact(card.contact.id or 0).pack())])
    return rows


def deal_label(deal: Deal, contact: str) -> str:
    """A button label naming a deal: title · contact · amount."""
    return f"{deal.title[:30]} · {contact[:15]} · {money(deal)}"[:LABEL]


def deal_buttons(
    deals: list[Deal], names: dict[int, str], action: Callable[[int], Callback] = OpenDeal
) -> list[list[Button]]:
    """One button per deal (at most MAX_BUTTONS), opening it or acting on it."""
    return [[Button(deal_label(d, names.get(d.contact_id, "?")), action(d.id or 0).pack())]
            for d in deals[:MAX_BUTTONS]]


def more_line(total: int, t: Translator) -> list[Html]:
    """'…and N more' when a list has more deals than buttons."""
    return [t("deal.more", count=total - MAX_BUTTONS)] if total > MAX_BUTTONS else []


def pipeline(groups: list[StageGroup], t: Translator) -> Html:
    """The /deals summary: per stage count, total and weighted total, in pipeline order."""
    deals = [d for g in groups for d in g.deals]
    lines = [t("deal.pipeline_title", count=len(deals),
               total=money(deals[0], sum(g.total for g in groups)),
               weighted=money(deals[0], sum(g.weighted for g in groups)))]
    for group in groups:
        name = stage_name(group.stage.key, t)
        lines.append(t("deal.pipeline_stage" if group.known else "deal.pipeline_removed",
                       stage=name, probability=group.stage.probability,
                       count=len(group.deals), total=money(deals[0], group.total),
                       weighted=money(deals[0], group.weighted)))
    return Html("\n".join(lines + more_line(len(deals), t)))


def contact_deals(deals: list[Deal], t: Translator) -> Html:
    """The contact card's section: open deals with stage and amount."""
    lines = [t("deal.section_title")]
    lines += [t("deal.section_line", title=d.title, stage=stage_name(d.stage, t), amount=money(d))
              for d in deals]
    return Html("\n".join(lines))


def stages(pipeline_stages: list[Stage], t: Translator) -> Html:
    """The /stages listing: every stage with its probability, and how to change them."""
    lines = [t("deal.stages_title")]
    lines += [t("deal.stages_line", position=s.position + 1, name=stage_name(s.key, t),
                probability=s.probability) for s in pipeline_stages]
    return Html("\n".join([*lines, "", t("deal.stages_hint")]))
