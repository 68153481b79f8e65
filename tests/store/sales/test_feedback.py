"""Feedback in the store: owners, scores, resolution, first response, visibility, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crm_store.db import unit_of_work
from crm_store.errors import Invalid, NotFound
from crm_store.models import AuditLog, Contact, Feedback, FeedbackKind, Member, Role
from crm_store.sales import feedback
from tests.builders import make_admin, make_contact, make_member

T0 = datetime(2026, 11, 2, 8, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def org(engine: Engine) -> dict[str, Member]:
    """admin → manager → rep; other_rep reports to the admin."""
    admin = make_admin(engine)
    manager = make_member(engine, by=admin, role=Role.MANAGER, name="Manager")
    rep = make_member(engine, by=manager, name="Rep")
    other = make_member(engine, by=admin, name="Other rep")
    return {"admin": admin, "manager": manager, "rep": rep, "other": other}


def complain(engine: Engine, actor: Member, contact: Contact, *, severity: str = "high",
             at: datetime = T0, text: str = "late delivery") -> Feedback:
    with unit_of_work(engine) as s:
        me = s.get(Member, actor.id)
        assert me is not None
        return feedback.log_feedback(s, actor=me, contact_id=contact.id or 0,
                                     kind=FeedbackKind.COMPLAINT, text=text, severity=severity,
                                     at=at)


def stored(engine: Engine, feedback_id: int | None) -> Feedback:
    with Session(engine) as s:
        row = s.get(Feedback, feedback_id)
        assert row is not None
        return row


def test_manager_logs_complaint_owned_by_the_contacts_rep_with_audit(
    engine: Engine, org: dict[str, Member]
) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    row = complain(engine, org["manager"], client, severity="critical")
    saved = stored(engine, row.id)
    assert (saved.owner_id, saved.member_id) == (org["rep"].id, org["manager"].id)
    assert (saved.kind, saved.severity, saved.status) == (FeedbackKind.COMPLAINT, "critical",
                                                          "open")
    assert saved.created_at == T0
    with Session(engine) as s:
        audit = s.exec(select(AuditLog).where(AuditLog.entity == "feedback")).one()
    assert audit.action == "create" and audit.actor_id == org["manager"].id


def test_complaint_without_severity_and_empty_text_are_refused(
    engine: Engine, org: dict[str, Member]
) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        with pytest.raises(Invalid) as no_severity:
            feedback.log_feedback(s, actor=rep, contact_id=client.id or 0,
                                  kind=FeedbackKind.COMPLAINT, text="slow", severity="huge")
        with pytest.raises(Invalid) as no_text:
            feedback.log_feedback(s, actor=rep, contact_id=client.id or 0,
                                  kind=FeedbackKind.PRAISE, text=" \x00 ")
    assert no_severity.value.key == "feedback.bad_severity"
    assert no_text.value.key == "feedback.need_text"


def test_scores_are_stored_as_closed_ratings_and_out_of_range_is_refused(
    engine: Engine, org: dict[str, Member]
) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        low = feedback.rate_nps(s, actor=rep, contact_id=client.id or 0, score=0, at=T0)
        top = feedback.rate_csat(s, actor=rep, contact_id=client.id or 0, score=5, at=T0)
        for rate, score, key in ((feedback.rate_csat, 0, "csat"), (feedback.rate_csat, 6, "csat"),
                                 (feedback.rate_nps, -1, "nps"), (feedback.rate_nps, 11, "nps")):
            with pytest.raises(Invalid) as refused:
                rate(s, actor=rep, contact_id=client.id or 0, score=score)
            assert refused.value.key == f"feedback.{key}_range"
    assert (stored(engine, low.id).nps, stored(engine, top.id).csat) == (0, 5)
    assert stored(engine, top.id).kind == FeedbackKind.RATING
    assert stored(engine, top.id).status == feedback.CLOSED
    with Session(engine) as s:
        assert len(s.exec(select(Feedback)).all()) == 2


def test_resolve_stamps_exact_utc_times_and_first_response(
    engine: Engine, org: dict[str, Member]
) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    row = complain(engine, org["rep"], client)
    beijing = timezone(timedelta(hours=8))
    done_at = datetime(2026, 11, 3, 18, 0, 1, 654321, tzinfo=beijing)
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        feedback.resolve(s, actor=rep, feedback_id=row.id or 0, text="refunded <b>fee</b>",
                         at=done_at)
    saved = stored(engine, row.id)
    assert saved.status == "resolved" and saved.resolution == "refunded <b>fee</b>"
    assert saved.resolved_at == done_at and saved.resolved_at.utcoffset() == timedelta(0)
    assert saved.first_response_at == done_at
    with Session(engine) as s:
        actions = [a.action for a in s.exec(select(AuditLog).where(AuditLog.entity == "feedback")
                                            .order_by(col(AuditLog.id)))]
    assert actions == ["create", "update"]


def test_resolve_keeps_an_earlier_first_response(engine: Engine, org: dict[str, Member]) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    row = complain(engine, org["rep"], client)
    with unit_of_work(engine) as s:
        feedback.note_response(s, contact_id=client.id or 0, at=T0 + timedelta(hours=2))
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        feedback.resolve(s, actor=rep, feedback_id=row.id or 0, text="fixed",
                         at=T0 + timedelta(days=2))
    saved = stored(engine, row.id)
    assert saved.first_response_at == T0 + timedelta(hours=2)
    assert saved.resolved_at == T0 + timedelta(days=2)


def test_resolving_twice_a_score_or_a_foreign_complaint_is_refused(
    engine: Engine, org: dict[str, Member]
) -> None:
    mine = make_contact(engine, owner=org["rep"], name="张伟")
    theirs = make_contact(engine, owner=org["other"], name="李娜")
    row = complain(engine, org["rep"], mine)
    foreign = complain(engine, org["other"], theirs)
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        score = feedback.rate_csat(s, actor=rep, contact_id=mine.id or 0, score=3)
        feedback.resolve(s, actor=rep, feedback_id=row.id or 0, text="done")
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        for target, error, key in ((row.id, Invalid, "feedback.already_resolved"),
                                   (score.id, Invalid, "feedback.not_resolvable"),
                                   (foreign.id, NotFound, "feedback.not_found"),
                                   (999_999, NotFound, "feedback.not_found")):
            with pytest.raises(error) as refused:
                feedback.resolve(s, actor=rep, feedback_id=target or 0, text="again")
            assert refused.value.key == key
    assert stored(engine, foreign.id).status == "open"
    assert stored(engine, row.id).resolution == "done"


def test_note_response_sets_first_response_once_on_open_feedback_given_before_it(
    engine: Engine, org: dict[str, Member]
) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    other_client = make_contact(engine, owner=org["rep"], name="李娜")
    open_one = complain(engine, org["rep"], client)
    done = complain(engine, org["rep"], client)
    later = complain(engine, org["rep"], client, at=T0 + timedelta(days=5))
    elsewhere = complain(engine, org["rep"], other_client)
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        feedback.resolve(s, actor=rep, feedback_id=done.id or 0, text="ok", at=T0)
    call = datetime(2026, 11, 2, 20, 0, 0, 1, tzinfo=timezone(timedelta(hours=8)))
    with unit_of_work(engine) as s:
        answered = feedback.note_response(s, contact_id=client.id or 0, at=call)
    assert [f.id for f in answered] == [open_one.id]
    assert stored(engine, open_one.id).first_response_at == call.astimezone(UTC)
    assert stored(engine, done.id).first_response_at == T0
    assert stored(engine, later.id).first_response_at is None
    assert stored(engine, elsewhere.id).first_response_at is None
    with unit_of_work(engine) as s:
        assert feedback.note_response(s, contact_id=client.id or 0,
                                      at=call + timedelta(hours=1)) == []
    assert stored(engine, open_one.id).first_response_at == call


def test_note_response_refuses_a_naive_time(engine: Engine, org: dict[str, Member]) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    with unit_of_work(engine) as s, pytest.raises(ValueError):
        feedback.note_response(s, contact_id=client.id or 0, at=datetime(2026, 11, 2, 9, 0))


def test_open_complaints_are_listed_oldest_first_within_each_members_view(
    engine: Engine, org: dict[str, Member]
) -> None:
    mine = make_contact(engine, owner=org["rep"], name="张伟")
    managers = make_contact(engine, owner=org["manager"], name="王芳")
    theirs = make_contact(engine, owner=org["other"], name="李娜")
    newer = complain(engine, org["rep"], mine, at=T0 + timedelta(hours=3))
    older = complain(engine, org["rep"], mine, at=T0)
    boss = complain(engine, org["manager"], managers, at=T0 + timedelta(hours=1))
    foreign = complain(engine, org["other"], theirs, at=T0 + timedelta(hours=2))
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        feedback.log_feedback(s, actor=rep, contact_id=mine.id or 0, kind=FeedbackKind.QUESTION,
                              text="price?")

    def ids(who: str, **page: int) -> list[int | None]:
        with unit_of_work(engine) as s:
            actor = s.get(Member, org[who].id)
            assert actor is not None
            return [r.feedback.id for r in
                    feedback.list_open_complaints(s, actor=actor, **page).rows]

    assert ids("rep") == [older.id, newer.id]
    assert ids("manager") == [older.id, boss.id, newer.id]
    assert ids("admin") == [older.id, boss.id, foreign.id, newer.id]
    assert ids("admin", offset=2, limit=2) == [foreign.id, newer.id]
    with unit_of_work(engine) as s:
        admin = s.get(Member, org["admin"].id)
        assert admin is not None
        page = feedback.list_open_complaints(s, actor=admin, offset=0, limit=2)
    assert page.total == 4 and page.rows[0].contact_name == "张伟"
    assert page.rows[0].owner_name == "Rep"


def test_contact_feedback_has_open_complaints_and_latest_scores(
    engine: Engine, org: dict[str, Member]
) -> None:
    client = make_contact(engine, owner=org["rep"], name="张伟")
    row = complain(engine, org["rep"], client)
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        feedback.rate_csat(s, actor=rep, contact_id=client.id or 0, score=2, at=T0)
        feedback.rate_csat(s, actor=rep, contact_id=client.id or 0, score=4,
                           at=T0 + timedelta(days=1))
        feedback.rate_nps(s, actor=rep, contact_id=client.id or 0, score=9, at=T0)
        data = feedback.for_contact(s, actor=rep, contact_id=client.id or 0)
        other = s.get(Member, org["other"].id)
        assert other is not None
        with pytest.raises(NotFound):
            feedback.for_contact(s, actor=other, contact_id=client.id or 0)
    assert [f.id for f in data.open_complaints] == [row.id]
    assert data.latest_csat is not None and data.latest_csat.csat == 4
    assert data.latest_nps is not None and data.latest_nps.nps == 9


def test_complaint_follows_its_contact_to_a_new_owner(
    engine: Engine, org: dict[str, Member]
) -> None:
    client = make_contact(engine, owner=org["other"], name="李娜")
    row = complain(engine, org["other"], client)
    with unit_of_work(engine) as s:
        contact = s.get(Contact, client.id)
        assert contact is not None
        contact.owner_id = org["rep"].id or 0
        s.add(contact)
    with unit_of_work(engine) as s:
        rep = s.get(Member, org["rep"].id)
        assert rep is not None
        listed = feedback.list_open_complaints(s, actor=rep).rows
        feedback.resolve(s, actor=rep, feedback_id=row.id or 0, text="took over, fixed")
    assert [r.feedback.id for r in listed] == [row.id]
    assert stored(engine, row.id).status == "resolved"
