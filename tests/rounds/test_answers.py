"""Answers after the reveal: neither a late reply nor a late edit changes what was revealed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.service import ChannelService
from bot.rounds.answers import apply_event
from storage.rounds import Answer, Round
from storage.votes import Vote

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


def test_removing_a_vote_made_before_the_emoji_changed_removes_it(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        session.add(
            Round(
                team_id="T1",
                channel_id="C1",
                local_date=date(2026, 12, 1),
                sequence=0,
                question_id="q",
                status="open",
                message_ts="100.000001",
                claimed_at=REVEALED,
            )
        )
    answer = {"type": "message", "channel": "C1", "user": "U1", "text": "Postgres"}
    answer |= {"ts": BEFORE, "thread_ts": "100.000001"}

    def reaction(kind: str, name: str, event_ts: str) -> dict[str, Any]:
        item = {"type": "message", "channel": "C1", "ts": BEFORE}
        event: dict[str, Any] = {"type": kind, "user": "U2", "item_user": "U1", "reaction": name}
        return event | {"item": item, "event_ts": event_ts}

    def votes() -> list[tuple[str, bool]]:
        with sessions.begin() as session:
            return [(v.voter_id, v.active) for v in session.scalars(select(Vote))]

    with sessions.begin() as session:
        apply_event(session, "T1", answer, REVEALED)
        apply_event(session, "T1", reaction("reaction_added", "+1", "101.0"), REVEALED)
    ChannelService(sessions).set_vote_emoji("T1", "C1", "star", "UADMIN", REVEALED)
    with sessions.begin() as session:  # a new +1 no longer votes, but taking the old one back does
        assert apply_event(session, "T1", reaction("reaction_added", "+1", "102.0"), REVEALED) == (
            "ignored: not the vote emoji"
        )
    assert votes() == [("U2", True)]
    with sessions.begin() as session:
        outcome = apply_event(session, "T1", reaction("reaction_removed", "+1", "103.0"), REVEALED)
    assert outcome == "vote removed" and votes() == [("U2", False)]
