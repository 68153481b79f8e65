"""Feedback in chat: /feedback, /csat, /nps, /resolve, /complaints and the card section."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.models import AuditLog, Contact, Feedback, FeedbackKind, Member
from crm_store.sales import feedback
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat

REP_ID, OTHER_ID = 2002, 2003


def rows(engine: Engine) -> list[Feedback]:
    with Session(engine) as s:
        return list(s.exec(select(Feedback).order_by(Feedback.id)))  # type: ignore[arg-type]


def complain(engine: Engine, actor: Member, contact: Contact, *, hours_ago: float = 0,
             severity: str = "high") -> Feedback:
    with unit_of_work(engine) as s:
        me = s.get(Member, actor.id)
        assert me is not None
        return feedback.log_feedback(s, actor=me, contact_id=contact.id or 0,
                                     kind=FeedbackKind.COMPLAINT, text="late", severity=severity,
                                     at=utcnow() - timedelta(hours=hours_ago))


def two_reps(engine: Engine) -> tuple[Member, Member, Member]:
    admin = make_admin(engine)
    rep = make_member(engine, by=admin, name="Rep Wang", telegram_user_id=REP_ID)
    other = make_member(engine, by=admin, name="Rep Li", telegram_user_id=OTHER_ID)
    return admin, rep, other


async def test_complaint_asks_severity_and_rep_owns_what_the_admin_logged(chat: Chat) -> None:
    admin, rep, _ = two_reps(chat.engine)
    make_contact(chat.engine, owner=rep, name="张伟", company="华东机械")
    await chat.send("/feedback 张伟 complaint the parcel arrived broken")
    assert "How severe" in chat.text()
    assert any("critical" in label for label in chat.buttons())
    assert rows(chat.engine) == []
    await chat.press("high")
    assert "Complaint #1 logged for <b>张伟</b>" in chat.text() and "Rep Wang" in chat.text()
    [row] = rows(chat.engine)
    assert (row.kind, row.severity, row.text) == (FeedbackKind.COMPLAINT, "high",
                                                  "the parcel arrived broken")
    assert (row.owner_id, row.member_id) == (rep.id, admin.id)


async def test_severity_word_in_text_saves_at_once_in_chinese(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/lang zh")
    await chat.send("/feedback 张伟 投诉 发货太慢，客户说很紧急")
    assert "已为 <b>张伟</b> 记录投诉 #1" in chat.text() and "紧急" in chat.text()
    assert rows(chat.engine)[0].severity == "critical"


async def test_severity_can_be_typed_and_other_text_asks_again(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="李娜")
    await chat.send("/feedback 李娜 complaint invoice was wrong")
    await chat.send("the invoice total")
    assert "choose the severity" in chat.text() and rows(chat.engine) == []
    await chat.send("低")
    assert rows(chat.engine)[0].severity == "low"


async def test_ambiguous_contact_is_picked_before_feedback_and_scores(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    east = make_contact(chat.engine, owner=admin, name="张伟", company="华东机械")
    south = make_contact(chat.engine, owner=admin, name="张伟", company="南方贸易")
    await chat.send("/feedback 张伟 complaint wrong colour")
    await chat.press("南方贸易")
    await chat.press("medium")
    await chat.send("/nps 张伟 6")
    await chat.press("华东机械")
    assert "NPS 6/10" in chat.text()
    complaint, score = rows(chat.engine)
    assert (complaint.contact_id, complaint.severity) == (south.id, "medium")
    assert (score.contact_id, score.nps) == (east.id, 6)


async def test_praise_suggestion_and_question_need_no_severity(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="王芳")
    await chat.send("/feedback 王芳 好评 服务很周到，urgent 回复")
    await chat.send("/feedback 王芳 suggestion add a WeChat group")
    await chat.send("/feedback 王芳 咨询 有没有年度折扣？")
    assert "Logged question #3" in chat.text()
    assert [(r.kind, r.severity) for r in rows(chat.engine)] == [
        (FeedbackKind.PRAISE, None), (FeedbackKind.SUGGESTION, None),
        (FeedbackKind.QUESTION, None)]


async def test_pressing_a_severity_after_the_dialog_closed_does_nothing(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/feedback 张伟 complaint rude driver")
    await chat.send("/cancel")
    replies = await chat.press_data(f"fv:{contact.id}:high")
    assert "no longer valid" in replies[0].text and rows(chat.engine) == []


async def test_bad_feedback_input_gets_specific_replies_and_stores_nothing(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/feedback")
    assert "Usage" in chat.text()
    await chat.send("/feedback 张伟 terrible service")
    assert "Usage" in chat.text()
    await chat.send("/feedback 张伟 praise")
    assert "What did the customer say" in chat.text()
    await chat.send("/feedback Nobody Here complaint urgent")
    assert "No contact matches" in chat.text()
    await chat.send("/feedback 张伟 complaint urgent " + "很慢" * 2500)
    assert "too long" in chat.text()
    assert rows(chat.engine) == []


async def test_html_and_sql_looking_text_is_stored_verbatim_and_shown_escaped(
    chat: Chat
) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="<b>Bobby</b>'); DROP TABLE feedback;--")
    await chat.send("/feedback Bobby praise <script>alert(1)</script> ' OR 1=1 --")
    assert "&lt;b&gt;Bobby&lt;/b&gt;" in chat.text() and "<script>" not in chat.text()
    assert rows(chat.engine)[0].text == "<script>alert(1)</script> ' OR 1=1 --"


async def test_csat_and_nps_are_stored_as_ratings(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/csat 张伟 4")
    assert "CSAT 4/5 saved for <b>张伟</b>" in chat.text()
    await chat.send("/nps 张伟 10")
    assert "NPS 10/10" in chat.text()
    assert [(r.kind, r.csat, r.nps) for r in rows(chat.engine)] == [
        (FeedbackKind.RATING, 4, None), (FeedbackKind.RATING, None, 10)]


async def test_scores_out_of_range_or_not_numbers_get_range_errors(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    make_contact(chat.engine, owner=admin, name="张伟")
    cases = {"/csat 张伟 7": "CSAT goes from 1 to 5; 7", "/csat 张伟 0": "out of range",
             "/nps 张伟 -1": "NPS goes from 0 to 10; -1", "/nps 张伟 11": "out of range",
             "/nps 张伟 ten": "“ten” is not a score: NPS", "/csat 张伟 4.5": "whole number",
             "/csat 张伟 99999999999": "out of range", "/csat 张伟": "Usage", "/nps": "Usage",
             "/csat Nobody 5": "No contact matches"}
    for command, expected in cases.items():
        await chat.send(command)
        assert expected in chat.text(), command
        assert len(chat.text()) < 200
    await chat.send("/lang zh")
    await chat.send("/nps 张伟 十")
    assert "NPS 是 0 到 10 的整数" in chat.text()
    assert rows(chat.engine) == []


async def test_resolve_closes_complaint_with_exact_times(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    row = complain(chat.engine, admin, contact, hours_ago=5)
    await chat.send(f"/resolve {row.id} refunded the <b>shipping</b>")
    assert f"#{row.id} resolved for <b>张伟</b> after 5 h" in chat.text()
    [saved] = rows(chat.engine)
    assert saved.status == "resolved" and saved.resolution == "refunded the <b>shipping</b>"
    assert saved.resolved_at is not None and saved.first_response_at == saved.resolved_at
    assert abs(saved.resolved_at - utcnow()) < timedelta(minutes=1)
    await chat.send(f"/resolve #{row.id} again")
    assert chat.text() == f"#{row.id} is already resolved."
    with Session(chat.engine) as s:
        updates = s.exec(select(AuditLog).where(AuditLog.entity == "feedback",
                                                AuditLog.action == "update")).all()
    assert len(updates) == 1 and updates[0].after is not None
    assert updates[0].after["status"] == "resolved"


async def test_resolve_input_errors_are_specific(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/resolve")
    assert "Usage" in chat.text()
    await chat.send("/resolve abc fixed")
    assert "“abc” is not a feedback number" in chat.text()
    await chat.send("/resolve 424242 fixed")
    assert "no feedback #424242" in chat.text()
    await chat.send("/csat 张伟 3")
    await chat.send("/resolve 1 fixed")
    assert "is a score" in chat.text()
    row = complain(chat.engine, admin, contact)
    await chat.send(f"/resolve {row.id} " + "好" * 2100)
    assert "too long" in chat.text() and rows(chat.engine)[1].status == "open"


async def test_rep_cannot_see_or_resolve_another_reps_complaint(chat: Chat) -> None:
    _, rep, other = two_reps(chat.engine)
    mine = complain(chat.engine, rep, make_contact(chat.engine, owner=rep, name="张伟"))
    theirs = complain(chat.engine, other, make_contact(chat.engine, owner=other, name="李娜"))
    rep_chat = Chat(chat.engine, user_id=REP_ID)
    await rep_chat.send("/complaints")
    assert "张伟" in rep_chat.text() and "李娜" not in rep_chat.text()
    for attempt in (f"/resolve {theirs.id} done",):
        await rep_chat.send(attempt)
        assert f"no feedback #{theirs.id} that you can see" in rep_chat.text()
    for data in (f"fr:{theirs.id}", "fr:abc", "fc:abc", "fv:1:high", f"fv:{mine.id}:huge",
                 "fr:" + "9" * 40):
        replies = await rep_chat.press_data(data)
        assert len(replies) == 1 and len(replies[0].text) < 120, data
    await rep_chat.send("hello")  # no resolution form was opened by the forged button
    assert "resolved" not in rep_chat.text()
    assert {r.status for r in rows(chat.engine)} == {"open"}


async def test_complaints_list_shows_age_owner_response_and_resolves_by_button(
    chat: Chat
) -> None:
    admin, rep, _ = two_reps(chat.engine)
    old = complain(chat.engine, rep, make_contact(chat.engine, owner=rep, name="张伟"),
                   hours_ago=72, severity="critical")
    new = complain(chat.engine, admin, make_contact(chat.engine, owner=admin, name="李娜"),
                   hours_ago=3, severity="low")
    with unit_of_work(chat.engine) as s:
        feedback.note_response(s, contact_id=new.contact_id, at=utcnow())
    await chat.send("/complaints")
    text = chat.text()
    assert text.index("张伟") < text.index("李娜")
    assert f"#{old.id} · <b>张伟</b> · 🔴 critical · 3 d · Rep Wang · no response yet" in text
    assert f"#{new.id} · <b>李娜</b> · 🟢 low · 3 h · Ada Admin · responded" in text
    await chat.press(f"Resolve #{old.id}")
    assert "How was" in chat.text()
    await chat.send("replaced the machine")
    assert f"#{old.id} resolved" in chat.text() and "after 3 d" in chat.text()
    await chat.send("/complaints")
    assert "张伟" not in chat.text() and "李娜" in chat.text()


async def test_complaints_are_paged_at_ten(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    made = [complain(chat.engine, admin, contact, hours_ago=30 - i) for i in range(12)]
    await chat.send("/complaints")
    assert "1–10 of 12" in chat.text() and f"#{made[9].id} " in chat.text()
    assert f"#{made[10].id} " not in chat.text()
    await chat.press("Next")
    assert chat.last[0].edit and "11–12 of 12" in chat.text()
    assert f"#{made[11].id} " in chat.text() and "Next ➡" not in chat.buttons()
    await chat.press("Previous")
    assert "1–10 of 12" in chat.text()
    await chat.press_data("fc:50")
    assert "11–12 of 12" in chat.text()


async def test_no_open_complaints_in_both_languages(chat: Chat) -> None:
    await chat.send("/complaints")
    assert "No open complaints" in chat.text()
    await chat.send("/lang zh")
    await chat.send("/complaints")
    assert "没有未处理的投诉" in chat.text()


async def test_card_shows_open_complaints_and_latest_scores_with_dates(chat: Chat) -> None:
    admin = make_admin(chat.engine)
    contact = make_contact(chat.engine, owner=admin, name="张伟")
    await chat.send("/contact 张伟")
    assert "Feedback" not in chat.text()
    row = complain(chat.engine, admin, contact, hours_ago=50, severity="medium")
    await chat.send("/csat 张伟 2")
    await chat.send("/csat 张伟 5")
    await chat.send("/nps 张伟 8")
    await chat.send("/contact 张伟")
    today = utcnow().astimezone(chat_tz()).strftime("%Y-%m-%d")
    assert f"Open complaint #{row.id} · 🟡 medium · 2 d" in chat.text()
    assert f"CSAT 5/5 ({today})" in chat.text() and f"NPS 8/10 ({today})" in chat.text()
    await chat.send("/lang zh")
    await chat.send("/contact 张伟")
    assert f"未处理投诉 #{row.id} · 🟡 中 · 2 天" in chat.text() and "满意度 5/5" in chat.text()


def chat_tz():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")
