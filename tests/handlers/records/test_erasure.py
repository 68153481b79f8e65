"""/erase: the admin gets the contact's data first, then personal data is blanked, figures stay."""

from __future__ import annotations

import json
import re
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import select

from crm_store.analytics.report_data import build_report, period_of
from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.messaging import outbox
from crm_store.messaging import reminder_kinds as rk
from crm_store.models import (
    AuditLog,
    Contact,
    Deal,
    Feedback,
    Interaction,
    Member,
    Order,
    Outbox,
    OutboxStatus,
    Role,
    Task,
)
from tests.builders import make_admin, make_contact, make_member
from tests.handlers.conftest import Chat

NAME, PHONE, EMAIL = "张伟", "13800138000", "zw@hd.cn"
SECRET = "住在浦东新区XX路88号"
REP_ID, MANAGER_ID = 2001, 2002


async def _seed(chat: Chat) -> int:
    await chat.send(f"/add {NAME}, 华东机械, {PHONE}, {EMAIL}")
    await chat.send(f"/log {NAME} visit {SECRET}")
    await chat.send(f"/order {NAME} 5000 30% {SECRET}")
    await chat.send(f"/feedback {NAME} complaint {SECRET}")
    await chat.press("high")
    await chat.send(f"/followup {NAME} tomorrow 3pm {SECRET}")
    await chat.send(f"/deal {NAME} {NAME}的ERP 5万")
    with unit_of_work(chat.engine) as s:
        return s.exec(select(Contact.id).where(Contact.name == NAME)).one() or 0


def _figures(engine: Engine) -> tuple[object, ...]:
    with unit_of_work(engine) as s:
        admin = s.exec(select(Member).where(Member.role == Role.ADMIN)).first()
        assert admin is not None
        now = utcnow()
        day = now.astimezone(ZoneInfo(admin.timezone)).date()
        period = period_of("month", day, admin.timezone, now)
        data = build_report(s, actor=admin, period=period, now=now)
        orders = s.exec(select(Order)).all()
        return (data.summary, data.pipeline, data.funnel, data.activity, data.segments,
                sorted((o.amount_minor, o.paid_minor, o.margin_minor) for o in orders),
                len(s.exec(select(Interaction)).all()), len(s.exec(select(Feedback)).all()))


async def test_erase_sends_export_then_blanks_personal_data_and_keeps_totals(chat: Chat):
    contact_id = await _seed(chat)
    segments_before = (await chat.send("/segments"))[0].text
    figures_before = _figures(chat.engine)

    replies = await chat.send(f"/erase {NAME}")
    export = json.loads(replies[0].document or b"{}")
    assert replies[0].filename == f"contact-{contact_id}.json"
    assert export["contact"]["phone"].endswith(PHONE[-8:])
    assert any(SECRET in i["text"] for i in export["interactions"])
    assert export["orders"] and export["feedback"] and export["tasks"]
    assert chat.buttons() == ["🗑 Erase", "✖ Cancel"]

    done = await chat.press("Erase")
    assert f"Erased contact #{contact_id}" in done[0].text

    assert "No contact matches" in (await chat.send(f"/find {NAME}"))[0].text
    assert "No contact matches" in (await chat.send(f"/find {PHONE}"))[0].text
    assert "No contact matches" in (await chat.send(f"/find {EMAIL}"))[0].text
    assert (await chat.send("/segments"))[0].text == segments_before
    assert _figures(chat.engine) == figures_before
    with unit_of_work(chat.engine) as s:
        stored = json.dumps([
            [c.model_dump(mode="json") for c in s.exec(select(Contact)).all()],
            [r.model_dump(mode="json") for r in s.exec(select(Interaction)).all()],
            [r.model_dump(mode="json") for r in s.exec(select(Feedback)).all()],
            [r.model_dump(mode="json") for r in s.exec(select(Task)).all()],
            [r.model_dump(mode="json") for r in s.exec(select(Order)).all()],
            [r.model_dump(mode="json") for r in s.exec(select(Deal)).all()],
            [r.model_dump(mode="json") for r in s.exec(select(AuditLog)).all()],
        ], ensure_ascii=False)
        erasure_rows = s.exec(select(AuditLog).where(AuditLog.action == "erase")).all()
    for personal in (NAME, PHONE[-8:], EMAIL, SECRET):
        assert personal not in stored
    assert len(erasure_rows) == 1 and erasure_rows[0].entity_id == contact_id


async def test_erase_in_chinese_and_cancel_changes_nothing(chat: Chat):
    await _seed(chat)
    zh = Chat(chat.engine, language_code="zh-CN")
    with unit_of_work(chat.engine) as s:
        admin = s.exec(select(Member).where(Member.role == Role.ADMIN)).one()
        admin.language = "zh-CN"
        s.add(admin)
    replies = await zh.send(f"/erase {NAME}")
    assert "确定删除" in replies[1].text
    await zh.press("取消")
    assert NAME in (await zh.send(f"/find {NAME}"))[0].text


async def test_erase_is_refused_to_managers_and_reps_and_forged_confirm_is_stale(chat: Chat):
    admin = make_admin(chat.engine)
    make_member(chat.engine, by=admin, role=Role.MANAGER, telegram_user_id=MANAGER_ID)
    make_member(chat.engine, by=admin, role=Role.REP, telegram_user_id=REP_ID)
    contact_id = await _seed(chat)
    for user_id in (MANAGER_ID, REP_ID):
        other = Chat(chat.engine, user_id=user_id)
        assert "not available for your role" in (await other.send(f"/erase {NAME}"))[0].text
        assert "no longer valid" in (await other.press_data(f"er:{contact_id}"))[0].text
    # The admin's own forged button, without the confirmation open, erases nothing either.
    assert "no longer valid" in (await chat.press_data(f"er:{contact_id}"))[0].text
    assert NAME in (await chat.send(f"/find {NAME}"))[0].text


async def test_erase_without_a_name_explains_usage(chat: Chat):
    assert "/erase" in (await chat.send("/erase"))[0].text


def _stored_text(engine: Engine) -> str:
    """Every row that may hold personal data, as one JSON string."""
    with unit_of_work(engine) as s:
        return json.dumps([[r.model_dump(mode="json") for r in s.exec(select(model)).all()]
                           for model in (Contact, Interaction, Feedback, Task, Order,
                                         Deal, AuditLog, Outbox)], ensure_ascii=False)


async def test_erase_reaches_a_deleted_contact_and_restore_brings_back_no_personal_data(
        chat: Chat):
    contact_id = await _seed(chat)
    await chat.send(f"/delete {NAME}")
    await chat.press_data(f"ax:{contact_id}")
    assert "No contact matches" in (await chat.send(f"/find {NAME}"))[0].text

    replies = await chat.send(f"/erase {NAME}")  # named as in /restore
    export = json.loads(replies[0].document or b"{}")
    assert export["contact"]["name"] == NAME and export["contact"]["deleted_at"]
    assert "was deleted on" in replies[1].text and "anonymous record" in replies[1].text
    await chat.press("Erase")
    assert f"Erased contact #{contact_id}" in chat.text()
    with unit_of_work(chat.engine) as s:
        erased = s.get(Contact, contact_id)
        assert erased is not None and erased.deleted_at is not None  # still deleted
    for personal in (NAME, PHONE[-8:], EMAIL, SECRET):
        assert personal not in _stored_text(chat.engine)

    assert "No customer deleted in the last" in (await chat.send(f"/restore {NAME}"))[0].text
    listed = await chat.send("/restore")
    assert f"Erased contact #{contact_id}" in listed[0].text and NAME not in listed[0].text
    await chat.press_data(f"av:c:{contact_id}")  # the Undo button of the old /delete
    card = (await chat.send(f"/contact #{contact_id}"))[0].text
    assert f"Erased contact #{contact_id}" in card
    for personal in (NAME, PHONE[-8:], EMAIL, SECRET):
        assert personal not in card and personal not in _stored_text(chat.engine)
    history = "\n".join(r.text for r in await chat.send(f"/audit #{contact_id}"))
    assert "exported the data of contact" in history and "restored contact" in history
    for personal in (NAME, PHONE[-8:], EMAIL, SECRET):
        assert personal not in history


async def test_erase_lists_live_and_deleted_namesakes_and_marks_the_deleted_one(chat: Chat):
    first = await _seed(chat)
    await chat.send(f"/delete {NAME}")
    await chat.press_data(f"ax:{first}")
    with unit_of_work(chat.engine) as s:
        admin = s.exec(select(Member).where(Member.role == Role.ADMIN)).one()
    make_contact(chat.engine, owner=admin, name=NAME, company="华南贸易")
    await chat.send(f"/erase {NAME}")
    labels = chat.buttons()
    assert len(labels) == 3 and labels[-1] == "✖ Cancel"  # two namesakes, never a guess
    deleted = [b for b in labels if b.startswith("🗑 (deleted)")]
    assert len(deleted) == 1 and "华东机械" in deleted[0]
    await chat.press("🗑 (deleted)")
    assert "was deleted on" in chat.text()
    await chat.press("Erase")
    with unit_of_work(chat.engine) as s:
        rows = {c.id: c for c in s.exec(select(Contact)).all()}
    assert rows[first].name == f"Erased contact #{first}"
    assert [c.name for i, c in rows.items() if i != first] == [NAME]  # the live one is kept


async def test_erase_by_id_of_a_deleted_contact_in_chinese(chat: Chat):
    contact_id = await _seed(chat)
    await chat.send(f"/delete {NAME}")
    await chat.press_data(f"ax:{contact_id}")
    await chat.send("/lang zh")
    replies = await chat.send(f"/erase #{contact_id}")
    assert "确定删除" in replies[1].text and "已于" in replies[1].text
    assert "/restore 只能恢复匿名记录" in replies[1].text
    await chat.press("删除")
    assert f"Erased contact #{contact_id}" in chat.text()


async def test_erase_blanks_reminders_held_while_the_owner_is_away(chat: Chat):
    contact_id = await _seed(chat)
    with unit_of_work(chat.engine) as s:
        admin = s.exec(select(Member).where(Member.role == Role.ADMIN)).one()
        outbox.enqueue(s, member=admin, kind=rk.BIRTHDAY, dedupe_key="birthday:held",
                       due_at=utcnow(), payload={"contact_id": contact_id, "contact_name": NAME,
                                                 "text": SECRET})
        row = s.exec(select(Outbox).where(Outbox.dedupe_key == "birthday:held")).one()
        row.status = OutboxStatus.HELD
        s.add(row)
    await chat.send(f"/erase #{contact_id}")
    await chat.press("Erase")
    with unit_of_work(chat.engine) as s:
        held = s.exec(select(Outbox).where(Outbox.dedupe_key == "birthday:held")).one()
        assert held.payload == {"contact_id": contact_id,
                                "contact_name": f"Erased contact #{contact_id}", "text": ""}


async def test_erase_blanks_sent_failed_holiday_and_catch_up_reminders_naming_the_contact(
        chat: Chat):
    contact_id = await _seed(chat)
    erased = f"Erased contact #{contact_id}"
    with unit_of_work(chat.engine) as s:
        admin = s.exec(select(Member).where(Member.role == Role.ADMIN)).one()
        now = utcnow()
        note = {"contact_id": contact_id, "contact_name": NAME, "text": f"call {NAME} {SECRET}"}
        outbox.enqueue(s, member=admin, kind=rk.FOLLOWUP_DUE, dedupe_key="sent", due_at=now,
                       payload=note)
        outbox.enqueue(s, member=admin, kind=rk.FOLLOWUP_DUE, dedupe_key="failed", due_at=now,
                       payload=note)
        outbox.enqueue(s, member=admin, kind=rk.HOLIDAY, dedupe_key="holiday", due_at=now,
                       payload={"holiday": "春节", "date": "2026-02-17", "contacts": [
                           {"contact_id": contact_id, "contact_name": NAME, "tier": "A"},
                           {"contact_id": 99999, "contact_name": "李四", "tier": "B"}]})
        outbox.enqueue(s, member=admin, kind=rk.CATCH_UP, dedupe_key="catch_up", due_at=now,
                       payload={"items": [{"kind": rk.FOLLOWUP_DUE, "contact_name": NAME,
                                           "summary": f"call {NAME} {SECRET}"}], "total": 1})
        s.flush()
        for key, status in (("sent", OutboxStatus.SENT), ("failed", OutboxStatus.FAILED)):
            row = s.exec(select(Outbox).where(Outbox.dedupe_key == key)).one()
            row.status = status
            s.add(row)
    await chat.send(f"/erase #{contact_id}")
    await chat.press("Erase")
    with unit_of_work(chat.engine) as s:
        rows = {o.dedupe_key: o.payload for o in s.exec(select(Outbox))}
        left = [key for key, payload in rows.items()
                if any(t in json.dumps(payload, ensure_ascii=False) for t in (NAME, SECRET))]
        assert not left
        assert rows["sent"]["contact_name"] == erased and rows["failed"]["text"] == ""
        assert rows["holiday"]["contacts"][0]["contact_name"] == erased
        assert rows["holiday"]["contacts"][1]["contact_name"] == "李四"  # someone else stays
        assert rows["catch_up"]["items"][0] == {"kind": rk.FOLLOWUP_DUE,
                                                "contact_name": erased, "summary": ""}


class InboxChat:
    """The admin's chat the way the processor runs it: raw update in the inbox first, then
    handled, then sent (or given up) — so stored payloads and replies can be inspected."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.update_id, self.last = engine, 100, []

    async def send(self, text: str, *, delivered: bool = True) -> list:
        from tests.handlers.conftest import ADMIN_ID

        self.update_id += 1
        update = {"update_id": self.update_id, "message": {
            "message_id": self.update_id, "date": 1_765_000_000, "text": text,
            "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Ada", "language_code": "en"},
            "chat": {"id": ADMIN_ID, "type": "private", "first_name": "Ada"}}}
        if text.startswith("/"):
            update["message"]["entities"] = [{"type": "bot_command", "offset": 0,
                                              "length": len(text.split()[0])}]
        return await self._handle(update, delivered)

    async def press(self, label: str) -> list:
        from tests.handlers.conftest import ADMIN_ID

        action = next(b.action for r in self.last for row in r.buttons for b in row
                      if label in b.label)
        self.update_id += 1
        return await self._handle({"update_id": self.update_id, "callback_query": {
            "id": "q", "data": action, "chat_instance": "c",
            "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Ada", "language_code": "en"},
            "message": {"message_id": 1, "date": 1_765_000_000, "text": "…",
                        "chat": {"id": ADMIN_ID, "type": "private"}}}}, True)

    async def _handle(self, update: dict, delivered: bool) -> list:
        from bot.updates import request_from_update
        from crm_store.messaging import inbox
        from handlers import dispatch
        from tests.handlers.conftest import SETTINGS

        with unit_of_work(self.engine) as s:
            inbox.store(s, update_id=update["update_id"], payload=update)
        request = request_from_update(update, "crm_test_bot")
        assert request is not None
        self.last = await dispatch.handle(request, engine=self.engine, settings=SETTINGS)
        with unit_of_work(self.engine) as s:
            if delivered:
                inbox.mark_sent(s, update_id=update["update_id"])
            else:  # Telegram refused it for good: the stored replies are kept
                while not inbox.mark_attempt_failed(s, update_id=update["update_id"],
                                                    error="400"):
                    pass
        return self.last


def _everything_stored(engine: Engine) -> list[str]:
    """Every row of every table as text; files in stored replies decoded where they are text."""
    import base64

    from sqlalchemy import text as sql
    from sqlmodel import SQLModel

    found: list[str] = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(sql(f'SELECT * FROM "{table.name}"')):
                line = json.dumps([str(v) for v in row], ensure_ascii=False)
                for value in row:
                    for blob in re.findall(r'"(?:document|photo)": "([A-Za-z0-9+/=]+)"',
                                           str(value)):
                        line += base64.b64decode(blob).decode("utf-8", "replace")
                found.append(line)
    return found


async def test_after_erase_no_table_holds_the_name_in_any_case_the_phone_or_the_email(
        engine: Engine) -> None:
    admin = make_admin(engine)
    chat = InboxChat(engine)
    await chat.send("/add Jon Smith, Acme, 138 0013 8000, John.Smith@Acme.com")
    await chat.send("/edit Jon Smith name John Smith")
    await chat.send("called john smith on 13800138000 about the brochure")  # a quick log
    await chat.press("Confirm")
    other = make_contact(engine, owner=admin, name="Mary Lee")
    await chat.send(f"/log #{other.id} note her colleague JOHN SMITH, mobile 138-0013-8000, "
                    "john.smith@acme.com, will join the call")
    await chat.send("/erase John Smith", delivered=False)  # the export never reached Telegram
    confirm = chat.last[-1]
    assert "other</i> customers name this person" in confirm.text
    await chat.press("blank")
    assert "also blanked" in chat.last[0].text
    traces = re.compile(r"jo(h)?n smith|john\.smith@acme\.com|13800138000", re.IGNORECASE)
    leftovers = [line[:300] for line in _everything_stored(engine)
                 if traces.search(re.sub(r"(?<=\d)[\s\-().]+(?=\d)", "", line))]
    assert leftovers == []
    with unit_of_work(engine) as s:
        note = s.exec(select(Interaction).where(Interaction.contact_id == other.id)).one()
    assert "Erased contact #" in note.text and "will join the call" in note.text
