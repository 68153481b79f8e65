"""Typed button data: the wire format of every family, round trips, and one stale reply."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

import pytest
from hypothesis import assume, given, reject, settings
from hypothesis import strategies as st

from crm_store.models import InteractionKind, Role
from handlers import dispatch  # noqa: F401  (loads every area, so every family is registered)
from handlers.activity.buttons import (
    CheckIn,
    LogInteraction,
    QuickBack,
    QuickConfirm,
    QuickContact,
    QuickDropFollowUp,
    QuickEdit,
    QuickKind,
    QuickText,
    QuickUndo,
)
from handlers.callbacks import Callback, OneOf, StaleButton, Tail, families
from handlers.campaigns.buttons import (
    CampaignReport,
    ConfirmCampaign,
    DraftsPage,
    FormChoice,
    MarkOutcome,
)
from handlers.contacts.buttons import CreateAnyway, EditContact, EditField, OpenContact, SkipField
from handlers.context import Context
from handlers.deals.buttons import (
    CloseDate,
    LoseDeal,
    MoveStage,
    NewDeal,
    OpenDeal,
    PickDeal,
    WinDeal,
)
from handlers.feedback.buttons import ComplaintsPage, ResolveFeedback, Severity
from handlers.general.buttons import Cancel, ChooseLanguage
from handlers.i18n import Translator
from handlers.ids import MAX_ID
from handlers.loyalty.buttons import OverridePoints
from handlers.orders.buttons import OpenOrder, PayOrder, ReceivablesPage
from handlers.picking import PickContact
from handlers.records.buttons import AuditMore, ConfirmDelete, ConfirmErase, ImportAnswer, Restore
from handlers.reminders.buttons import ReminderDone, ReminderLog, ReminderToday, Snooze
from handlers.reports.buttons import AtRiskPage, TeamView
from handlers.router import Registry, buttons_markdown, registry
from handlers.segments.buttons import GROUP_CODES, KEY_CODES, SegmentList, SegmentsSummary
from handlers.tasks.buttons import FollowUp, TaskDone, TasksPage
from handlers.team.buttons import ConfirmDeactivation, ConfirmReassign
from handlers.types import Reply
from tests.builders import make_admin, make_member
from tests.handlers.conftest import Chat

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
EN = Translator("en")
STALE = Reply(EN("error.stale_button"), toast=EN.plain("error.stale_button"))

# Each family packed, and the data the hand-written f-strings made before typed buttons: sent
# buttons, stored inbox replies and outbox rows carry this data and must keep working.
WIRE: list[tuple[Callback, str]] = [
    (Cancel(), "cx"), (ChooseLanguage("zh-CN"), "lang:zh-CN"), (ChooseLanguage("en"), "lang:en"),
    (OpenContact(2), "ct:2"), (EditContact(5), "ed:5"), (EditField(5, "phone"), "ef:5:phone"),
    (SkipField(), "fs"), (CreateAnyway(), "dup"),
    (LogInteraction(5, InteractionKind.CALL), "lg:5:call"),
    (LogInteraction(5, InteractionKind.NOTE), "lg:5:note"), (CheckIn(7), "ck:7"),
    (QuickContact(3), "qp:3"), (QuickConfirm(), "qc"), (QuickUndo(41, 0), "qu:41:0"),
    (QuickUndo(41, 9), "qu:41:9"), (QuickEdit(), "qe"),
    (QuickKind(InteractionKind.VISIT), "qk:visit"), (QuickDropFollowUp(), "qf"),
    (QuickBack(), "qb"), (QuickText(), "qt"),
    (FollowUp(5), "tf:5"), (TasksPage(10, "t"), "tl:10:t"), (TasksPage(0, "m"), "tl:0:m"),
    (TaskDone(9), "td:9"),
    (NewDeal(5), "dn:5"), (OpenDeal(12), "dc:12"), (MoveStage(12, "won"), "dm:12:won"),
    (MoveStage(12, "custom_2"), "dm:12:custom_2"), (WinDeal(12), "dw:12"),
    (LoseDeal(12), "dx:12"), (CloseDate(12), "dk:12"), (CloseDate(0), "dk:0"),
    (PickDeal(12, "w"), "dp:12:w"), (PickDeal(12, "l"), "dp:12:l"),
    (OpenOrder(3), "oc:3"), (PayOrder(3), "op:3"), (ReceivablesPage(1), "or:1"),
    (Severity(5, "high"), "fv:5:high"), (ResolveFeedback(8), "fr:8"), (ComplaintsPage(2), "fc:2"),
    (ReminderDone(12), "rd:12"), (Snooze(12, "h"), "rs:12:h"), (Snooze(12, "t"), "rs:12:t"),
    (ReminderLog(12), "rl:12"), (ReminderToday(12), "ro:12"),
    (OverridePoints(5), "po:5"),
    (FormChoice("ch", "wechat"), "cf:ch:wechat"), (FormChoice("def"), "cf:def"),
    (ConfirmCampaign(), "cc"), (CampaignReport(4), "ce:4"), (DraftsPage(4, 0), "cg:4:0"),
    (MarkOutcome(6, "n", 2), "co:6:n:2"),
    (SegmentsSummary(""), "sg:"), (SegmentsSummary("~"), "sg:~"),
    (SegmentsSummary("c上海|sr"), "sg:c上海|sr"), (SegmentsSummary("ta:b|o12"), "sg:ta:b|o12"),
    (SegmentList("r", "ch", 0, ""), "sl:r:ch:0:"),
    (SegmentList("l", "a", 3, "ta:b"), "sl:l:a:3:ta:b"),
    (SegmentList("v", "np", 1, "~"), "sl:v:np:1:~"),
    (AtRiskPage(2), "ar:2"), (TeamView(0, "w"), "tm:0:w"), (TeamView(17, "m"), "tm:17:m"),
    (ConfirmDeactivation(3, 4), "md:3:4"), (ConfirmReassign(3, 4), "mr:3:4"),
    (AuditMore(5, 120), "au:5:120"), (ConfirmDelete(5), "ax:5"), (Restore("c", 5), "av:c:5"),
    (Restore("o", 9), "av:o:9"), (ConfirmErase(5), "er:5"),
    (ImportAnswer("ok", "a1b2c3d4"), "imp:ok:a1b2c3d4"), (ImportAnswer("no", "t0k"), "imp:no:t0k"),
    (PickContact(5), "pk:5"),
]


@pytest.mark.parametrize(("button", "data"), WIRE, ids=[data for _, data in WIRE])
def test_packing_gives_the_data_buttons_always_carried(button: Callback, data: str) -> None:
    assert button.pack() == data
    assert type(button).unpack(data) == button


def test_the_wire_table_covers_every_registered_family() -> None:
    assert {type(button).prefix for button, _ in WIRE} == set(registry.callbacks)


def test_every_family_under_handlers_has_exactly_one_handler() -> None:
    declared = {prefix: cls for prefix, cls in families().items()
                if cls.__module__.startswith("handlers.")}
    assert declared.keys() == registry.callbacks.keys()
    assert all(registry.callbacks[p].family is cls for p, cls in declared.items())


# --- round trips -----------------------------------------------------------------------------

SOME_TEXT = st.one_of(
    st.sampled_from(["won", "lead", "zh-CN", "en", "ch", "np", "a", "t0k", "张伟", "~"]),
    st.text(st.characters(codec="utf-8", exclude_characters=":"), min_size=1, max_size=12))
FILTER_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="|"), min_size=1,
                      max_size=8)
FILTER = st.one_of(st.tuples(st.sampled_from("cit"), FILTER_TEXT).map("".join),
                   st.integers(0, 10**6).map(lambda n: f"o{n}"),
                   st.sampled_from(["sp", "sn", "sa", "sr", "sl"]))
SOME_TAIL = st.one_of(st.sampled_from(["", "~"]),  # segment filters, as the buttons carry them
                      st.lists(FILTER, min_size=1, max_size=3, unique_by=lambda p: p[0]).map(
                          "|".join))


def _part(field_kind: str, choices: tuple[str, ...]) -> st.SearchStrategy[str]:
    if choices:
        return st.sampled_from(choices)
    return {"int": st.integers(0, MAX_ID).map(str), "str": SOME_TEXT,
            "tail": SOME_TAIL}[field_kind]


@st.composite
def button_data(draw: st.DrawFn, family: type[Callback]) -> str:
    """Data a family's buttons could carry: its prefix, then a text for each field."""
    parts = [family.prefix]
    for field in family.fields:
        if field.optional and not draw(st.booleans()):
            break
        if family is SegmentList and field.name == "key":  # a key of the group drawn before
            group = next(g for g, code in GROUP_CODES.items() if code == parts[1])
            parts.append(draw(st.sampled_from(sorted(KEY_CODES[group].values()))))
            continue
        parts.append(draw(_part(field.kind, field.choices)))
    return ":".join(parts)


@pytest.mark.parametrize("prefix", sorted(registry.callbacks))
@settings(max_examples=60, deadline=None, database=None)
@given(data=st.data())
def test_unpack_then_pack_is_the_same_data(prefix: str, data: st.DataObject) -> None:
    family = registry.callbacks[prefix].family
    wire = data.draw(button_data(family))
    assume(len(wire.encode()) <= 64)
    try:
        button = family.unpack(wire)
    except StaleButton:
        reject()  # what valid() refuses: filters no button carries ('sg:q1')
    assert button.pack() == wire
    assert family.unpack(button.pack()) == button


NAMES = "ab张伟é 😀"


class Everything(Callback, prefix="zz_every"):
    """A family with one field of each kind the data can carry."""

    flag: bool
    kind: InteractionKind
    size: Literal["s", "m"]
    word: Annotated[str, OneOf(("x", "y"))]
    count: int
    name: str
    note: str | None = None


@settings(max_examples=200, deadline=None, database=None)
@given(st.builds(Everything, flag=st.booleans(), kind=st.sampled_from(InteractionKind),
                 size=st.sampled_from(["s", "m"]), word=st.sampled_from(["x", "y"]),
                 count=st.integers(0, MAX_ID), name=st.text(NAMES, min_size=1, max_size=4),
                 note=st.none() | st.text(NAMES, min_size=1, max_size=4)))
def test_every_field_kind_survives_a_round_trip(button: Everything) -> None:
    data = button.pack()
    assert data.startswith("zz_every:") and (data.count(":") == 6 + (button.note is not None))
    assert Everything.unpack(data) == button


def test_fields_read_as_their_types() -> None:
    button = Everything.unpack("zz_every:1:visit:m:y:0042:张伟")
    assert button == Everything(True, InteractionKind.VISIT, "m", "y", 42, "张伟", None)
    assert button.kind is InteractionKind.VISIT


@pytest.mark.parametrize("data", [
    "zz_every:1:visit:m:y:42", "zz_every:1:visit:m:y:42:n:note:more",  # field count
    "zz_every:2:visit:m:y:42:n", "zz_every:1:walk:m:y:42:n", "zz_every:1:visit:l:y:42:n",
    "zz_every:1:visit:m:z:42:n",  # bool, enum, Literal, OneOf out of range
    "zz_every:1:visit:m:y:x42:n", "zz_every:1:visit:m:y:-1:n", "zz_every:1:visit:m:y:4.2:n",
    "zz_every:1:visit:m:y:٤٢:n", "zz_every:1:visit:m:y:1234567890123:n",  # not an id
    "zz_every:1:visit:m:y::n", "zz_every:1:visit:m:y:42:", "zz_every:1:visit:m:y:42:n:",  # empty
    "zz_other:1:visit:m:y:42:n", "zz_every", "", "zz_every:1:visit:m:y:42:" + "n" * 41,  # > 64
])
def test_malformed_data_is_stale(data: str) -> None:
    with pytest.raises(StaleButton):
        Everything.unpack(data)


def test_a_tail_takes_the_rest_of_the_data() -> None:
    assert SegmentList.unpack("sl:r:ch:2:ta:b:c") == SegmentList("r", "ch", 2, "ta:b:c")
    with pytest.raises(StaleButton):
        SegmentList.unpack("sl:r:ch:2")  # no tail at all


def test_pack_refuses_what_the_data_cannot_carry() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        MoveStage(1, "x" * 60).pack()
    for bad in (MoveStage(1, "a:b"), MoveStage(1, ""), MoveStage(-1, "won"),
                Everything(True, InteractionKind.CALL, "s", "x", 1, "n", ""),
                FormChoice("def", "call"), SegmentsSummary("q1")):  # the last two: not valid()
        with pytest.raises(ValueError):
            bad.pack()


# --- declaring families ----------------------------------------------------------------------

def test_a_prefix_taken_by_another_family_fails_when_the_class_is_defined() -> None:
    with pytest.raises(ValueError, match="'dm' used by handlers.deals.buttons.MoveStage"):
        class AnotherMove(Callback, prefix="dm"):
            deal_id: int


@pytest.mark.parametrize("prefix", ["", "a:b", "按钮"])
def test_a_prefix_must_be_short_ascii_without_colons(prefix: str) -> None:
    with pytest.raises(ValueError, match="bad button prefix"):
        class Odd(Callback, prefix=prefix):
            pass


def test_fields_the_data_cannot_carry_fail_when_the_class_is_defined() -> None:
    with pytest.raises(TypeError, match="cannot travel"):
        class WithFloat(Callback, prefix="zz_float"):
            amount: float
    with pytest.raises(TypeError, match="optional fields must come last"):
        class OptionalFirst(Callback, prefix="zz_opt"):
            note: str | None
            deal_id: int
    with pytest.raises(TypeError, match="Tail field must come last"):
        class TailFirst(Callback, prefix="zz_tail"):
            rest: Tail
            deal_id: int
    with pytest.raises(TypeError, match="choices"):
        class ColonChoice(Callback, prefix="zz_choice"):
            pick: Literal["a:b"]
    assert not {"zz_float", "zz_opt", "zz_tail", "zz_choice"} & families().keys()


def test_a_family_registered_twice_fails() -> None:
    routes = Registry()

    async def handler(button: Cancel, ctx: Context) -> list[Reply]:
        return []

    routes.button(Cancel)(handler)
    with pytest.raises(ValueError, match="cx registered twice"):
        routes.button(Cancel)(handler)


def test_handlers_never_read_callback_data_by_hand() -> None:
    readers = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "handlers").rglob("*.py")
                     if "callback_data" in path.read_text(encoding="utf-8"))
    assert readers == ["handlers/dispatch.py", "handlers/router.py", "handlers/types.py"]


# --- one stale reply, from the dispatcher ----------------------------------------------------

@pytest.mark.parametrize("data", [
    "dm:12", "dm:12:won:again", "rs:1", "cx:extra",  # wrong field count
    "ct:abc", "ct:", "ct:-1", "ct:1.5", "tl:x:m",  # not an id
    "ct:1234567890123", "td:" + "9" * 40,  # more than 12 digits
    "zz:1", "", "ctx:1", "CT:1",  # unknown prefix
    "rs:1:x", "dp:1:z", "ef:1:password", "av:x:1", "tm:0:week", "sl:rfm:x:0:",  # bad choice
    "sl:r:t:0:", "sg:o12345678901234", "sl:r:ch:0:q1",  # refused by valid()
    "sg:c" + "x" * 70, "ct:1" + " " * 64,  # over 64 bytes
])
async def test_malformed_or_unknown_data_gets_the_one_stale_reply(sqlite_chat: Chat,
                                                                  data: str) -> None:
    await sqlite_chat.send("/start")
    assert await sqlite_chat.press_data(data) == [STALE]


async def test_a_family_the_role_may_not_press_gets_the_same_stale_reply(
        sqlite_chat: Chat) -> None:
    admin = make_admin(sqlite_chat.engine)
    make_member(sqlite_chat.engine, by=admin, role=Role.REP, name="Ray Rep",
                telegram_user_id=2101)
    rep = Chat(sqlite_chat.engine, user_id=2101)
    assert registry.callbacks["po"].roles == frozenset({Role.ADMIN})
    assert await rep.press_data("po:5") == [STALE]


# --- the index -------------------------------------------------------------------------------

def test_the_index_lists_each_family_with_its_area_fields_and_roles() -> None:
    rows = {row.prefix: row for row in registry.button_index()}
    assert rows["dm"].family == "MoveStage" and rows["dm"].area == "deals"
    assert rows["dm"].shape == "dm:<deal_id>:<stage>"
    assert rows["dm"].fields == "deal_id: int; stage: str"
    assert rows["cf"].shape == "cf:<step>[:<channel>]" and rows["cf"].roles == "manager, admin"
    assert rows["pk"].area == "shared" and rows["po"].roles == "admin"
    assert rows["rs"].fields == "outbox_id: int; until: one of h, t"


def test_architecture_doc_lists_the_registered_button_families() -> None:
    table = buttons_markdown(registry.button_index())
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if os.environ.get("CRM_UPDATE_DOCS") == "1":  # regenerate: keep the text above the table
        head = re.split(r"^\| Prefix \|", text, maxsplit=1, flags=re.MULTILINE)[0]
        DOC.write_text(head + table, encoding="utf-8")
        text = DOC.read_text(encoding="utf-8")
    assert text.endswith(table), (
        "docs/ARCHITECTURE.md (Buttons) is stale: CRM_UPDATE_DOCS=1 pytest "
        "tests/handlers/test_callbacks.py -k architecture_doc -n 0")
