"""Deals by chat: /deal (line and form), the card and its buttons, /won, /lost, /deals, /stages."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from crm_store.models import AuditLog, Deal, DealStatus, Member, Role, StageChange
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat


def all_deals(engine: Engine) -> list[Deal]:
    with Session(engine) as s:
        return list(s.exec(select(Deal).order_by(col(Deal.id))))


def only_deal(engine: Engine) -> Deal:
    found = all_deals(engine)
    assert len(found) == 1, found
    return found[0]


def stage_moves(engine: Engine, deal_id: int | None) -> list[tuple[str | None, str]]:
    with Session(engine) as s:
        rows = s.exec(select(StageChange).where(StageChange.deal_id == deal_id)
                      .order_by(col(StageChange.id)))
        return [(r.from_stage, r.to_stage) for r in rows]


def actions(chat: Chat) -> list[str]:
    return [b.action for r in chat.last for row in r.buttons for b in row]


async def rep_chat(engine: Engine, by: Member, name: str, user_id: int,
                   role: Role = Role.REP) -> tuple[Chat, Member]:
    member = make_member(engine, by=by, role=role, name=name, telegram_user_id=user_id)
    return Chat(engine, user_id=user_id), member


async def test_one_line_deal_opens_in_lead_and_shows_the_card(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟", company="华东机械")
    await chat.send("/deal 张伟 ERP upgrade 5万 close 2099-12-31")
    text = chat.text()
    assert "Deal <b>ERP upgrade</b> created in Lead" in text
    for part in ("Contact: 张伟", "Owner: Ada Admin", "Amount: ¥50,000", "Stage: Lead (10%)",
                 "Weighted: ¥5,000", "Expected close: 2099-12-31", "Status: open",
                 "Days in this stage: 0", "created in Lead by Ada Admin"):
        assert part in text, part
    assert {"➡ Qualified", "➡ Proposal", "➡ Negotiation", "🏆 Won", "❌ Lost",
            "📅 Set close date"} <= set(chat.buttons())
    deal = only_deal(chat.engine)
    assert (deal.amount_minor, deal.currency, deal.probability) == (5_000_000, "CNY", 10)
    assert stage_moves(chat.engine, deal.id) == [(None, "lead")]


async def test_multi_word_contact_and_amount_forms_are_understood(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="John Smith", company="Acme")
    make_contact(chat.engine, owner=admin, name="李娜")
    await chat.send("/deal John Smith 200 units of steel 50k")
    await chat.send("/deal 李娜, Model 3000 support, ¥12,000")
    first, second = all_deals(chat.engine)
    assert (first.title, first.amount_minor) == ("200 units of steel", 5_000_000)
    assert (second.title, second.amount_minor) == ("Model 3000 support", 1_200_000)


async def test_deal_form_asks_contact_title_amount_and_date_can_be_skipped(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="John Smith", company="Acme")
    await chat.send("/deal")
    assert "Which contact" in chat.text()
    await chat.send("John Smith")
    assert "New deal with <b>John Smith</b>" in chat.text()
    await chat.send("Support contract")
    await chat.send("abc")
    assert "“abc” is not an amount" in chat.text()
    await chat.send("12,000")
    assert "Expected close date" in chat.text()
    await chat.press("Skip")
    assert "Deal <b>Support contract</b> created" in chat.text()
    deal = only_deal(chat.engine)
    assert (deal.amount_minor, deal.expected_close) == (1_200_000, None)


async def test_deal_form_takes_a_close_date(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="王芳")
    for answer in ("/deal", "王芳", "年度采购", "8万", "2099-06-30"):
        await chat.send(answer)
    assert "Expected close: 2099-06-30" in chat.text()
    assert str(only_deal(chat.engine).expected_close) == "2099-06-30"


async def test_new_deal_button_on_contact_card_starts_the_form(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="王芳")
    await chat.send("/contact 王芳")
    await chat.press("New deal")
    assert "New deal with <b>王芳</b>" in chat.text()
    await chat.send("Maintenance")
    await chat.send("30000")
    await chat.send("-")
    await chat.send("/contact 王芳")
    assert "<b>Open deals</b>" in chat.text()
    assert "Maintenance — Lead — ¥30,000" in chat.text()
    assert "💼 Maintenance" in chat.buttons()


async def test_bad_deal_input_gets_a_specific_reply_and_stores_nothing(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    cases = {
        "/deal 张伟 ERP -5000": "can't be negative",
        "/deal 张伟 ERP 0": "more than zero",
        "/deal 张伟 ERP lots": "can't find the amount",
        "/deal 张伟 5万": "Usage",
        "/deal 陌生人 ERP 5万": "No contact matches “陌生人”",
        "/deal 张伟 ERP 5万 close 2020-01-01": "in the past",
        "/deal 张伟 ERP 5万 close whenever-ish": "can't read “whenever-ish” as a date",
        "/deal 张伟 ERP 5万 close": "can't read “close” as a date",
        "/deal 张伟 " + "长" * 3000 + " 5万": "title is too long",
        "/deal 张伟 ERP 99999999999999999": "larger than any amount",
        "/deal 张伟 ERP " + "很长" * 2500 + " 5万": "too long",
    }
    for command, expected in cases.items():
        replies = await chat.send(command)
        assert expected in chat.text(), (command, chat.text())
        assert len(replies) == 1 and len(replies[0].text) < 300, command
    assert all_deals(chat.engine) == []


async def test_html_and_sql_looking_titles_are_stored_verbatim_and_shown_escaped(
    chat: Chat
) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/deal 张伟 <b>x</b>'; DROP TABLE deal;-- 5000")
    assert only_deal(chat.engine).title == "<b>x</b>'; DROP TABLE deal;--"
    assert "&lt;b&gt;x&lt;/b&gt;'; DROP TABLE deal;--" in chat.text()
    assert "<b>x</b>" not in chat.text()


async def test_stage_button_moves_the_deal_and_records_history(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/deal 张伟 ERP 5万")
    replies = await chat.press("➡ Proposal")
    assert replies[0].edit and replies[0].toast == "Moved to Proposal."
    assert "Stage: Proposal (50%)" in chat.text() and "Weighted: ¥25,000" in chat.text()
    assert "Lead → Proposal by Ada Admin" in chat.text()
    assert "➡ Lead" in chat.buttons() and "➡ Proposal" not in chat.buttons()
    deal = only_deal(chat.engine)
    assert (deal.stage, deal.probability) == ("proposal", 50)
    assert stage_moves(chat.engine, deal.id) == [(None, "lead"), ("lead", "proposal")]
    with Session(chat.engine) as s:
        assert s.exec(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "deal", AuditLog.action == "update")).one() == 1


async def test_won_button_closes_the_deal_without_stage_buttons(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/deal 张伟 ERP 5万")
    await chat.press("Won")
    assert "🏆 Won: <b>ERP</b> (¥50,000)" in chat.text() and "Status: won" in chat.text()
    assert not any(a.startswith(("dm:", "dw:", "dx:", "dk:")) for a in actions(chat))
    deal = only_deal(chat.engine)
    assert (deal.status, deal.stage, deal.probability) == (DealStatus.WON, "won", 100)
    assert deal.closed_at is not None
    await chat.press_data(f"dm:{deal.id}:proposal")
    assert "already closed" in chat.text()
    assert only_deal(chat.engine).stage == "won"


async def test_lost_button_asks_for_the_reason(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/deal 张伟 ERP 5万")
    await chat.press("Lost")
    assert "Why was <b>ERP</b> lost?" in chat.text()
    await chat.send("price too high")
    assert "Marked lost" in chat.text() and "Lost because: price too high" in chat.text()
    deal = only_deal(chat.engine)
    assert (deal.status, deal.stage, deal.lost_reason) == (DealStatus.LOST, "lost",
                                                           "price too high")


async def test_set_close_date_button(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/deal 张伟 ERP 5万")
    await chat.press("Set close date")
    await chat.send("sometime")
    assert "can't read “sometime”" in chat.text()
    await chat.send("2099-01-15")
    assert "Expected close: 2099-01-15" in chat.text()
    await chat.press("Set close date")
    await chat.send("-")
    assert "cleared" in chat.text() and only_deal(chat.engine).expected_close is None


async def test_won_with_one_open_deal_applies_directly(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/won")
    assert "No open deals" in chat.text()
    await chat.send("/deal 张伟 ERP 5万")
    await chat.send("/won")
    assert "🏆 Won" in chat.text() and only_deal(chat.engine).status == DealStatus.WON


async def test_won_with_several_deals_lists_them_or_uses_the_name(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    make_contact(chat.engine, owner=admin, name="李娜")
    await chat.send("/deal 张伟 ERP upgrade 5万")
    await chat.send("/deal 李娜 CRM rollout 8万")
    erp, crm = all_deals(chat.engine)
    await chat.send("/won")
    assert "Which deal was won?" in chat.text()
    assert {f"dp:{erp.id}:w", f"dp:{crm.id}:w"} <= set(actions(chat))
    await chat.send("/won 李娜")
    assert "Won: <b>CRM rollout</b>" in chat.text()
    await chat.send("/won nothing like it")
    assert "No open deal matches" in chat.text()
    await chat.press_data(f"dp:{erp.id}:w")
    assert [d.status for d in all_deals(chat.engine)] == [DealStatus.WON, DealStatus.WON]


async def test_lost_with_reason_and_several_deals_keeps_the_reason_for_the_pick(
    chat: Chat
) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/deal 张伟 ERP upgrade 5万")
    await chat.send("/deal 张伟 Spare parts 1万")
    await chat.send("/lost 预算被砍")
    assert "Which deal was lost?" in chat.text()
    await chat.press("Spare parts")
    assert "Marked lost: <b>Spare parts</b>" in chat.text()
    erp, parts = all_deals(chat.engine)
    assert (erp.status, parts.status, parts.lost_reason) == (
        DealStatus.OPEN, DealStatus.LOST, "预算被砍")
    await chat.send("/lost")
    assert "Why was <b>ERP upgrade</b> lost?" in chat.text()
    await chat.send("went with a competitor")
    assert all_deals(chat.engine)[0].lost_reason == "went with a competitor"


async def test_deals_groups_by_stage_with_totals_and_caps_buttons(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    for number in range(24):
        await chat.send(f"/deal 张伟 Order {number} 1万")
    first = all_deals(chat.engine)[0]
    await chat.press_data(f"dm:{first.id}:negotiation")
    await chat.send("/deals")
    text = chat.text()
    assert "Open deals: 24</b> · total ¥240,000 · weighted ¥31,000" in text
    assert "<b>Lead</b> 10% — 23 · ¥230,000 · weighted ¥23,000" in text
    assert "<b>Negotiation</b> 80% — 1 · ¥10,000 · weighted ¥8,000" in text
    assert text.index("Lead") < text.index("Negotiation")
    assert len(chat.buttons()) == 20 and "4 more" in text
    await chat.press(chat.last[0].buttons[0][0].action)
    assert "💼 <b>Order" in chat.text()


async def test_rep_cannot_see_or_touch_another_reps_deal_through_forged_buttons(
    chat: Chat
) -> None:
    admin = make_admin(chat.engine)
    owner_chat, owner = await rep_chat(chat.engine, admin, "Owner rep", 2001)
    spy_chat, _ = await rep_chat(chat.engine, admin, "Spy rep", 2002)
    make_contact(chat.engine, owner=owner, name="张伟")
    await owner_chat.send("/deal 张伟 ERP 5万")
    deal = only_deal(chat.engine)
    for data in (f"dc:{deal.id}", f"dm:{deal.id}:won", f"dm:{deal.id}:proposal",
                 f"dw:{deal.id}", f"dx:{deal.id}", f"dk:{deal.id}", f"dp:{deal.id}:w",
                 f"dp:{deal.id}:l", f"dm:{deal.id}:lost"):
        replies = await spy_chat.press_data(data)
        assert "does not exist or is not yours" in spy_chat.text(), data
        assert replies[0].buttons == []
    await spy_chat.send("/deals")
    assert "No open deals" in spy_chat.text()
    await spy_chat.send("/won")
    assert "No open deals" in spy_chat.text()
    assert only_deal(chat.engine).status == DealStatus.OPEN
    assert stage_moves(chat.engine, deal.id) == [(None, "lead")]


async def test_manager_moves_a_deal_of_their_team(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    boss_chat, boss = await rep_chat(chat.engine, admin, "Boss", 3001, Role.MANAGER)
    rep_chat_, rep = await rep_chat(chat.engine, boss, "Rep", 3002)
    make_contact(chat.engine, owner=rep, name="张伟")
    await rep_chat_.send("/deal 张伟 ERP 5万")
    deal = only_deal(chat.engine)
    await boss_chat.press_data(f"dm:{deal.id}:qualified")
    assert "Lead → Qualified by Boss" in boss_chat.text()
    assert only_deal(chat.engine).stage == "qualified"


async def test_garbled_deal_buttons_get_a_short_reply(chat: Chat) -> None:
    await chat.send("/start")
    for data in ("dc:abc", "dm:1", "dm:x:won", "dp:1:z", "dk:0", "dn:999999",
                 "dc:" + "9" * 12, "dm:999999:won", "dx:"):
        replies = await chat.press_data(data)
        assert len(replies) == 1 and len(replies[0].text) < 120, data
    assert all_deals(chat.engine) == []


async def test_stages_shows_and_sets_the_pipeline_for_admins_only(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    await chat.send("/stages")
    assert "1. Lead — 10%" in chat.text() and "5. Won — 100%" in chat.text()
    await chat.send("/stages lead 10, qualified 25, Demo 40%, proposal 60, negotiation 80")
    assert "Pipeline updated" in chat.text() and "3. demo — 40%" in chat.text()
    assert "7. Lost — 0%" in chat.text()
    for bad, expected in (("/stages lead 10", "2 to 10 open stages"),
                          ("/stages lead 10, won 50", "always at the end"),
                          ("/stages lead 10, demo 120", "from 0 to 99%"),
                          ("/stages lead 10, 演示 20", "can't be a stage name"),
                          ("/stages lead ten, demo 20", "can't read “lead ten”"),
                          ("/stages <script>x</script> 5, b 6", "&lt;script&gt;")):
        await chat.send(bad)
        assert expected in chat.text(), (bad, chat.text())
    rep_chat_, _ = await rep_chat(chat.engine, admin, "Rep", 4001)
    await rep_chat_.send("/stages lead 1, demo 2")
    assert "not available for your role" in rep_chat_.text()
    await chat.send("/stages")
    assert "3. demo — 40%" in chat.text()


async def test_deal_in_a_removed_stage_still_shows_and_moves(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/deal 张伟 ERP 5万")
    await chat.press("➡ Proposal")
    await chat.send("/stages lead 10, demo 40")
    await chat.send("/deals")
    assert "Proposal</b> (removed stage)" in chat.text()
    await chat.press("ERP")
    assert "no longer in the pipeline" in chat.text()
    await chat.press("➡ demo")
    assert "Stage: demo (40%)" in chat.text()


async def test_chinese_member_sees_chinese_stage_names(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/lang zh")
    await chat.send("/deal 张伟 ERP升级 5万")
    assert "已创建商机 <b>ERP升级</b>，阶段：线索" in chat.text()
    assert "阶段：线索（10%）" in chat.text()
    assert {"➡ 已确认", "➡ 方案", "➡ 谈判", "🏆 赢单", "❌ 输单"} <= set(chat.buttons())
    await chat.send("/deal 张伟 ERP -1")
    assert "不能为负数" in chat.text()
    await chat.send("/stages")
    assert "5. 赢单 — 100%" in chat.text() and "6. 输单 — 0%" in chat.text()
    await chat.send("/lost")
    await chat.send("价格太高")
    assert "已标记输单" in chat.text() and "输单原因：价格太高" in chat.text()


async def test_ambiguous_contact_asks_first_then_creates_the_deal(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟", company="华东机械")
    make_contact(chat.engine, owner=admin, name="张伟", company="星河科技")
    await chat.send("/deal 张伟 ERP升级 5万 预计成交 2099-03-01")
    assert "Several contacts match" in chat.text() and all_deals(chat.engine) == []
    await chat.press("星河科技")
    assert "Deal <b>ERP升级</b> created" in chat.text()
    deal = only_deal(chat.engine)
    assert (deal.amount_minor, str(deal.expected_close)) == (5_000_000, "2099-03-01")


async def test_unknown_stage_is_refused_and_the_deal_stays(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/deal 张伟 ERP 5万")
    deal = only_deal(chat.engine)
    await chat.press_data(f"dm:{deal.id}:bogus_stage")
    assert "bogus_stage" in chat.text() and "stage" in chat.text().lower()
    assert stage_moves(chat.engine, deal.id) == [(None, "lead")]
