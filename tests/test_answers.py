"""Answers after the reveal: neither a late reply nor a late edit changes what was revealed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.rounds.answers import apply_event
from storage.rounds import Answer, Round

REVEALED = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
BEFORE, AFTER = f"{REVEALED.timestamp() - 600:.6f}", f"{REVEALED.timestamp() + 60:.6f}"


def test_edits_and_replies_after_the_reveal_are_ignored(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(
            Round(
                team_id="T1",
                channel_id="C1",
                local_date=date(2026, 12, 1),
                sequence=0,
                question_id="q",
                status="revealed",
                message_ts="100.000001",
                claimed_at=REVEALED,
                revealed_at=REVEALED,
            )
        )
    reply = {
        "type": "message",
        "channel": "C1",
        "user": "U1",
        "text": "before",
        "ts": BEFORE,
        "thread_ts": "100.000001",
    }
    late_edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "message": {**reply, "text": "rewritten later", "edited": {"ts": AFTER}},
    }
    late_reply = {**reply, "ts": AFTER, "text": "too late"}
    with sessions.begin() as session:
        assert apply_event(session, "T1", reply, REVEALED) == "answer stored"
        assert apply_event(session, "T1", late_edit, REVEALED) == "ignored: after the reveal"
        assert apply_event(session, "T1", late_reply, REVEALED) == "ignored: after the reveal"
    with sessions.begin() as session:
        assert [a.text for a in session.scalars(select(Answer))] == ["before"]
