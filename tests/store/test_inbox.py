"""The inbox keeps every update once and remembers what was handled and sent."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from crm_store import inbox
from crm_store.db import unit_of_work


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
