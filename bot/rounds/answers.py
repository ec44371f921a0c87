"""Answers and votes, recorded from Slack events. Every write is an idempotent upsert keyed on
Slack's ids, so retried, duplicated and out-of-order events all end in the same state."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage import blind as blind_store
from storage import channels as channel_store
from storage import privacy as privacy_store
from storage import rounds as round_store
from storage import votes as vote_store
from storage.states import AnswerMode

log = logging.getLogger(__name__)

ANSWER_SUBTYPES = (None, "thread_broadcast", "file_share")
# A reply in a blind round's thread: not an answer; its author is told privately how to answer.
BLIND_THREAD_REPLY = "ignored: blind round"
ANSWER_STORED = "answer stored"


def base_emoji(name: str) -> str:
    """`+1::skin-tone-3` counts as `+1`."""
    return name.split("::", 1)[0]


def apply_event(session: Session, team_id: str, event: dict[str, Any], now: datetime) -> str:
    """Record what a message or reaction event means for answers and votes; says what it did."""
    item = event.get("item")
    channel = (
        event.get("channel")
        if event.get("type") == "message"
        else (item.get("channel") if isinstance(item, dict) else None)
    )
    if not isinstance(channel, str) or not channel:
        return "ignored: no channel"
    kind = event.get("type")
    if kind == "message":
        subtype = event.get("subtype")
        if subtype == "message_changed":
            return _edit(session, team_id, event, now)
        if subtype == "message_deleted":
            return _delete(session, team_id, event, now)
        if subtype in ANSWER_SUBTYPES:
            return _reply(session, team_id, event, now)
        return "ignored: message subtype"
    if kind in ("reaction_added", "reaction_removed"):
        return _reaction(session, team_id, event, now, active=kind == "reaction_added")
    return "ignored: event type"


def _is_human(message: dict[str, Any]) -> bool:
    return (
        bool(message.get("user")) and not message.get("bot_id") and not message.get("bot_profile")
    )


def _reply(session: Session, team_id: str, event: dict[str, Any], now: datetime) -> str:
    ts, thread_ts = event.get("ts"), event.get("thread_ts")
    if not ts or not thread_ts or thread_ts == ts or not _is_human(event):
        return "ignored: not a human thread reply"
    return _store(session, team_id, event["channel"], event, version=str(ts), now=now)


def _edit(session: Session, team_id: str, event: dict[str, Any], now: datetime) -> str:
    message = event.get("message") or {}
    ts, thread_ts = message.get("ts"), message.get("thread_ts")
    if not ts or not thread_ts or thread_ts == ts or not _is_human(message):
        return "ignored: not a human thread reply"
    version = str((message.get("edited") or {}).get("ts") or ts)
    return _store(session, team_id, event["channel"], message, version=version, now=now)


def _store(
    session: Session,
    team_id: str,
    channel_id: str,
    message: dict[str, Any],
    *,
    version: str,
    now: datetime,
) -> str:
    rnd = _round_of_thread(session, team_id, channel_id, message["thread_ts"])
    if rnd is None:
        return "ignored: not a round thread"
    if rnd.mode == AnswerMode.BLIND:  # answers come privately through the Answer button
        return BLIND_THREAD_REPLY
    # Replies, and edits, made after the reveal don't change what was revealed.
    cutoff = rnd.revealed_at.timestamp() if rnd.revealed_at is not None else None
    if cutoff is not None and max(float(message["ts"]), float(version)) >= cutoff:
        return "ignored: after the reveal"
    round_store.upsert_answer(
        session,
        round_id=rnd.id,
        team_id=team_id,
        channel_id=channel_id,
        ts=message["ts"],
        user_id=message["user"],
        text=message.get("text") or "",
        version=version,
        now=now,
    )
    return ANSWER_STORED


def _round_of_thread(
    session: Session, team_id: str, channel_id: str, thread_ts: str
) -> round_store.RoundOfMessage | None:
    """The round a thread belongs to, looked up once per transaction: the inbox's writer
    applies a batch of replies to the same few threads in one, and nothing in it changes a
    round. A reveal committed while the batch runs (PostgreSQL; SQLite's write lock keeps it
    out) applies from the next batch on, as if the batch had come a moment earlier."""
    known: dict[tuple[str, str, str], round_store.RoundOfMessage] = session.info.setdefault(
        "rounds_by_thread", {}
    )
    key = (team_id, channel_id, thread_ts)
    if key not in known:
        rnd = round_store.round_by_message(session, team_id, channel_id, thread_ts)
        if rnd is None:
            return None
        known[key] = rnd
    return known[key]


def _delete(session: Session, team_id: str, event: dict[str, Any], now: datetime) -> str:
    """A deleted reply keeps only a tombstone: its text, author and the votes on it go, and a
    reply or edit of it delivered afterwards can't bring it back. Copies go too: the private
    answer of a blind round's revealed copy, and calibration evidence quoting it."""
    previous = event.get("previous_message") or {}
    ts = event.get("deleted_ts") or previous.get("ts")
    thread_ts = previous.get("thread_ts")
    if not ts or not thread_ts or thread_ts == ts:
        return "ignored: not a thread reply"
    rnd = _round_of_thread(session, team_id, event["channel"], thread_ts)
    if rnd is None:
        return "ignored: not a round thread"
    gone = round_store.delete_answer(
        session, round_id=rnd.id, team_id=team_id, channel_id=event["channel"], ts=ts, now=now
    )
    vote_store.delete_votes_on(session, team_id, event["channel"], ts)
    if gone is not None:
        author, text = gone
        if rnd.mode == AnswerMode.BLIND:
            blind_store.delete_blind_answer(session, rnd.id, author)
        privacy_store.forget_answer_evidence(session, team_id, author, text)
    return "answer deleted"


def _reaction(
    session: Session, team_id: str, event: dict[str, Any], now: datetime, *, active: bool
) -> str:
    item = event.get("item") or {}
    if item.get("type") != "message" or not event.get("user"):
        return "ignored: not a message reaction"
    channel_id, ts = item["channel"], item["ts"]
    emojis: dict[tuple[str, str], str] = session.info.setdefault("vote_emojis", {})
    if (team_id, channel_id) not in emojis:  # once per transaction, as `_round_of_thread`
        emojis[team_id, channel_id] = channel_store.vote_emoji(session, team_id, channel_id)
    vote_emoji = base_emoji(emojis[team_id, channel_id])
    reaction = base_emoji(event.get("reaction", ""))
    if reaction != vote_emoji:
        # Removing a vote made before the channel changed its vote emoji still removes it.
        made_with = vote_store.vote_emoji_of(session, team_id, channel_id, ts, event["user"])
        if active or made_with != reaction:
            return "ignored: not the vote emoji"
    if event["user"] == event.get("item_user"):
        return "ignored: own answer"
    if round_store.is_deleted_answer(session, team_id, channel_id, ts):
        return "ignored: deleted answer"
    vote_store.upsert_vote(
        session,
        team_id=team_id,
        channel_id=channel_id,
        message_ts=ts,
        voter_id=event["user"],
        active=active,
        version=event.get("event_ts") or str(now.timestamp()),
        now=now,
        emoji=reaction if active else None,
    )
    return "vote stored" if active else "vote removed"
