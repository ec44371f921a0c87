"""The durable inbox keeps what can matter, dedupes retries, and forgets old applied events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.rounds.inbox import Inbox
from storage.inbox import InboxEvent

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def body(event_id: str, event: dict[str, Any]) -> dict[str, Any]:
    return {"type": "event_callback", "team_id": "T1", "event_id": event_id, "event": event}


def stored(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(InboxEvent)) or 0


def test_only_thread_messages_and_reactions_are_stored(sessions: sessionmaker[Session]) -> None:
    inbox = Inbox(sessions, lambda: NOW)
    chatter = {"type": "message", "channel": "C1", "user": "U1", "ts": "1.1", "text": "lunch?"}
    reply = {**chatter, "ts": "1.2", "thread_ts": "1.0"}
    edit_of_reply = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "message": {**reply, "text": "edited"},
        "previous_message": reply,
    }
    reaction = {
        "type": "reaction_added",
        "user": "U2",
        "reaction": "+1",
        "item": {"type": "message", "channel": "C1", "ts": "1.2"},
        "event_ts": "1.3",
    }
    # The bot's own thread posts (the reveal, a blind round's answers) and their edits come
    # back as events too: an app's message is never an answer, so nothing of it is kept.
    reveal = {**reply, "ts": "1.4", "user": "UBOT", "bot_id": "B1", "text": "The reveal"}
    reveal_edited = {**edit_of_reply, "message": {**reveal, "text": "The reveal, <@U1>"}}
    other_app = {**reply, "ts": "1.5", "subtype": "bot_message", "text": "a webhook"}
    # A deleted reply is kept whoever posted it: its answer, if any, must go.
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C1",
        "deleted_ts": "1.2",
        "previous_message": {**reply, "bot_id": "B1"},
    }
    events: list[dict[str, Any]] = [
        chatter,
        reply,
        edit_of_reply,
        reaction,
        reveal,
        reveal_edited,
        other_app,
        deleted,
    ]
    for i, event in enumerate(events):
        assert inbox.receive(body(f"Ev{i}", event))
    assert stored(sessions) == 4


def test_applied_events_are_pruned_after_a_week_pending_ones_never(
    sessions: sessionmaker[Session],
) -> None:
    clock = {"now": NOW - timedelta(days=8)}
    inbox = Inbox(sessions, lambda: clock["now"])
    reply = {"type": "message", "channel": "C1", "user": "U1", "ts": "1.2", "thread_ts": "1.0"}
    inbox.receive(body("EvOld", reply))
    inbox.process("EvOld")
    inbox.receive(body("EvPending", {**reply, "ts": "1.3"}))
    clock["now"] = NOW
    inbox.receive(body("EvNew", {**reply, "ts": "1.4"}))
    inbox.process("EvNew")

    assert inbox.prune(NOW) == 1
    with sessions.begin() as session:
        left = set(session.scalars(select(InboxEvent.event_id)))
    assert left == {"EvPending", "EvNew"}
    # A retry of the pruned event is long past Slack's retry window; it is simply stored anew.
    assert inbox.receive(body("EvNew", reply)) is False  # still deduped while kept
