"""The inbox keeps every update once and remembers what was handled and sent."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from crm_store.clock import utcnow
from crm_store.db import unit_of_work
from crm_store.messaging import inbox


def test_duplicate_update_is_dropped_and_offset_confirms_the_highest(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        assert inbox.next_offset(s) is None
        assert inbox.store(s, update_id=10, payload={"update_id": 10})
        assert inbox.store(s, update_id=12, payload={"update_id": 12})
    with unit_of_work(engine) as s:
        assert not inbox.store(s, update_id=10, payload={"update_id": 10, "again": True})
        assert inbox.next_offset(s) == 13
        assert [r.update_id for r in inbox.pending(s)] == [10, 12]


def test_handled_rows_keep_replies_until_sent(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        inbox.store(s, update_id=1, payload={"update_id": 1})
        inbox.store(s, update_id=2, payload={"update_id": 2})
    with unit_of_work(engine) as s:
        inbox.mark_handled(s, update_id=1, chat_id=5, replies=[{"text": "hi"}])
        inbox.mark_handled(s, update_id=2, chat_id=5, replies=[], scrub=True)
        inbox.mark_sent(s, update_id=2)
    with unit_of_work(engine) as s:
        rows = inbox.pending(s)
        assert [(r.update_id, r.status, r.replies) for r in rows] == [(1, "handled",
                                                                      [{"text": "hi"}])]
        gone = s.get(inbox.Inbox, 2)
        assert gone is not None and gone.payload is None and gone.status == "sent"


def test_failing_row_is_given_up_after_three_attempts(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        inbox.store(s, update_id=3, payload={"update_id": 3})
    results = []
    for _ in range(3):
        with unit_of_work(engine) as s:
            results.append(inbox.mark_attempt_failed(s, update_id=3, error="boom"))
    assert results == [False, False, True]
    with unit_of_work(engine) as s:
        assert inbox.pending(s) == []


def _message(update_id: int, chat_id: int) -> dict:
    return {"update_id": update_id, "message": {"message_id": update_id, "date": 0,
                                                "chat": {"id": chat_id, "type": "private"},
                                                "from": {"id": chat_id}, "text": "hi"}}


def test_a_chat_waits_for_its_earlier_update_while_other_chats_go_on(engine: Engine) -> None:
    now = utcnow()
    with unit_of_work(engine) as s:
        for update_id, chat in ((1, 50), (2, 50), (3, 60)):
            inbox.store(s, update_id=update_id, payload=_message(update_id, chat))
    with unit_of_work(engine) as s:
        assert not inbox.claim(s, update_id=2, owner="b", now=now, lease_seconds=60)
        assert inbox.claim(s, update_id=3, owner="b", now=now, lease_seconds=60)
        assert inbox.claim(s, update_id=1, owner="a", now=now, lease_seconds=60)
        assert not inbox.claim(s, update_id=1, owner="b", now=now, lease_seconds=60)
        assert inbox.next_in_chat(s, chat_id=50) == 1
    with unit_of_work(engine) as s:
        inbox.mark_handled(s, update_id=1, chat_id=50, replies=[])
        assert not inbox.claim(s, update_id=2, owner="b", now=now, lease_seconds=60)  # unsent
        inbox.mark_sent(s, update_id=1)
    with unit_of_work(engine) as s:
        assert inbox.next_in_chat(s, chat_id=50) == 2
        assert inbox.claim(s, update_id=2, owner="a", now=now, lease_seconds=60)


def test_a_lease_that_ran_out_passes_to_another_process(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        inbox.store(s, update_id=7, payload=_message(7, 70))
    now = utcnow()
    with unit_of_work(engine) as s:
        assert inbox.claimable(s, now=now, quiet_seconds=5) == []  # just arrived: its own
        assert inbox.claimable(s, now=now, quiet_seconds=0) == [7]
        assert inbox.claim(s, update_id=7, owner="dead", now=now, lease_seconds=30)
    later = now + timedelta(seconds=31)
    with unit_of_work(engine) as s:
        assert not inbox.claim(s, update_id=7, owner="b", now=now + timedelta(seconds=29),
                               lease_seconds=30)
        assert inbox.claimable(s, now=later, quiet_seconds=5) == [7]
        assert inbox.claim(s, update_id=7, owner="b", now=later, lease_seconds=30)


def test_an_update_handled_by_another_process_rolls_this_one_back(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        inbox.store(s, update_id=8, payload=_message(8, 80))
    with unit_of_work(engine) as s:
        inbox.mark_handled(s, update_id=8, chat_id=80, replies=[{"text": "first"}])
    with pytest.raises(inbox.AlreadyHandled), unit_of_work(engine) as s:
        inbox.mark_handled(s, update_id=8, chat_id=80, replies=[{"text": "second"}])
    with unit_of_work(engine) as s:
        row = s.get(inbox.Inbox, 8)
        assert row is not None and row.replies == [{"text": "first"}]


def test_chat_of_reads_messages_and_button_presses() -> None:
    assert inbox.chat_of(_message(1, -100)) == -100
    press = {"update_id": 2, "callback_query": {"id": "q", "from": {"id": 5},
                                                "message": {"chat": {"id": -7}}}}
    assert inbox.chat_of(press) == -7
    assert inbox.chat_of({"update_id": 3, "callback_query": {"id": "q", "from": {"id": 5}}}) == 5
    assert inbox.chat_of({"update_id": 4, "edited_message": {}}) is None


@pytest.mark.postgres
def test_racing_claims_on_postgres_have_one_winner(postgres_engine: Engine) -> None:
    """Eight threads claim the same rows at once: each row is won exactly once."""
    with unit_of_work(postgres_engine) as s:
        for update_id in range(100, 140):
            inbox.store(s, update_id=update_id, payload=_message(update_id, update_id))
    barrier, wins = threading.Barrier(8), Counter[int]()
    lock = threading.Lock()

    def contend(owner: str) -> None:
        barrier.wait()
        for update_id in range(100, 140):
            with unit_of_work(postgres_engine) as s:
                won = inbox.claim(s, update_id=update_id, owner=owner, now=utcnow(),
                                  lease_seconds=60)
            if won:
                with lock:
                    wins[update_id] += 1

    threads = [threading.Thread(target=contend, args=(f"p{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins == Counter({update_id: 1 for update_id in range(100, 140)})


def test_a_sent_update_keeps_no_payload_and_a_strangers_row_no_id(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        inbox.store(s, update_id=20, payload=_message(20, 2001))
        inbox.store(s, update_id=21, payload=_message(21, 6666))  # a stranger
    with unit_of_work(engine) as s:
        inbox.mark_handled(s, update_id=20, chat_id=2001, replies=[{"text": "✅ logged"}])
        inbox.mark_handled(s, update_id=21, chat_id=6666, replies=[{"text": "ask"}], scrub=True)
        inbox.mark_sent(s, update_id=20)
    with unit_of_work(engine) as s:
        sent, stranger = s.get(inbox.Inbox, 20), s.get(inbox.Inbox, 21)
        assert sent is not None and (sent.payload, sent.replies) == (None, None)
        assert stranger is not None and stranger.payload is None and stranger.chat_id is None
        assert "6666" not in str(stranger.model_dump())


def test_purge_drops_finished_rows_past_retention_but_keeps_the_newest_and_unfinished(
        engine: Engine) -> None:
    old, now = utcnow() - timedelta(days=10), utcnow()
    with unit_of_work(engine) as s:
        for update_id in range(1, 8):
            inbox.store(s, update_id=update_id, payload=_message(update_id, 70))
    with unit_of_work(engine) as s:
        for row in s.exec(select(inbox.Inbox)):
            row.received_at = old
            row.status = {1: "sent", 2: "failed", 3: "new", 4: "handled"}.get(row.update_id,
                                                                                 "sent")
            s.add(row)
        fresh = s.get(inbox.Inbox, 6)
        assert fresh is not None
        fresh.received_at = now
    with unit_of_work(engine) as s:
        assert inbox.purge(s, before=now - timedelta(days=7), limit=1) == 1  # in chunks
    with unit_of_work(engine) as s:
        assert inbox.purge(s, before=now - timedelta(days=7)) == 2
        left = sorted(r.update_id for r in s.exec(select(inbox.Inbox)))
        assert left == [3, 4, 6, 7]  # unfinished, recent, and the newest (the offset)
        assert inbox.next_offset(s) == 8


def test_the_purge_job_deletes_in_chunks_until_done(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from scheduler import runner

    with unit_of_work(engine) as s:
        for update_id in range(1, 12):
            inbox.store(s, update_id=update_id, payload={"update_id": update_id})
    with unit_of_work(engine) as s:
        for row in s.exec(select(inbox.Inbox)):
            row.received_at, row.status = utcnow() - timedelta(days=30), "sent"
            s.add(row)
    monkeypatch.setattr(inbox, "PURGE_CHUNK", 3)
    monkeypatch.setattr(runner, "engine_for", lambda url: engine)
    assert runner.purge_inbox("ignored", 7) == 10
    with unit_of_work(engine) as s:
        assert [r.update_id for r in s.exec(select(inbox.Inbox))] == [11]
