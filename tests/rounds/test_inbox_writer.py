"""The inbox's writer thread, as the server runs it: deliveries are stored before Slack gets its
answer, then applied once each, votes that came before their answer included; events an
earlier process stored and never applied are applied as soon as the writer runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.rounds.inbox import Inbox
from bot.rounds.service import RoundService
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import CHANNEL, eventually
from storage.inbox import InboxEvent
from storage.rounds import Answer, Round
from storage.votes import Vote
from tests.helpers import BANK, NOW, TEAM, client_for, subscribe

Sessions = sessionmaker[Session]


@pytest.fixture
def question_ts(sessions: Sessions, fake: FakeSlack) -> str:
    subscribe(sessions, fake, CHANNEL, "09:00 UTC daily", NOW)
    RoundService(sessions, BANK, client_for(fake)).start_now(TEAM, CHANNEL, NOW)
    with sessions.begin() as session:
        ts = session.scalars(select(Round.message_ts)).one()
    assert ts is not None
    return ts


@pytest.fixture
def writer(sessions: Sessions) -> Iterator[Inbox]:
    inbox = Inbox(sessions, lambda: NOW, writer=True)
    yield inbox
    assert inbox.stop_writer(timeout=10)


def reply(event_id: str, question_ts: str, ts: str, user: str) -> dict[str, Any]:
    event = {"type": "message", "channel": CHANNEL, "user": user, "text": "a hash map", "ts": ts}
    return envelope(event_id, {**event, "thread_ts": question_ts})


def reaction(event_id: str, answer_ts: str, voter: str, author: str) -> dict[str, Any]:
    event = {
        "type": "reaction_added",
        "user": voter,
        "reaction": "+1",
        "item": {"type": "message", "channel": CHANNEL, "ts": answer_ts},
        "item_user": author,
        "event_ts": answer_ts,
    }
    return envelope(event_id, event)


def envelope(event_id: str, event: dict[str, Any]) -> dict[str, Any]:
    return {"type": "event_callback", "team_id": TEAM, "event_id": event_id, "event": event}


def counts(sessions: Sessions) -> tuple[int, int, int]:
    """(answers, active votes, events not applied yet)."""
    with sessions.begin() as session:
        answers = session.scalar(select(func.count()).select_from(Answer))
        votes = session.scalar(select(func.count()).where(Vote.active.is_(True)))
        pending = session.scalar(select(func.count()).where(InboxEvent.processed_at.is_(None)))
    return answers or 0, votes or 0, pending or 0


def test_answers_and_votes_are_applied_once_each_the_vote_before_its_answer_too(
    sessions: Sessions, writer: Inbox, question_ts: str
) -> None:
    # Slack delivers the vote on Bob's answer before the answer itself.
    assert writer.receive(reaction("EvVote", "1001.000002", "U0CAROL", "U0BOB"))
    assert writer.receive(reply("EvAlice", question_ts, "1001.000001", "U0ALICE"))
    assert writer.receive(reply("EvBob", question_ts, "1001.000002", "U0BOB"))
    eventually(lambda: counts(sessions) == (2, 1, 0))

    # Slack retries a delivery it did not see answered: stored already, applied already.
    assert writer.receive(reply("EvBob", question_ts, "1001.000002", "U0BOB")) is False
    assert writer.receive(reaction("EvVote", "1001.000002", "U0CAROL", "U0BOB")) is False
    assert counts(sessions) == (2, 1, 0)
    with sessions.begin() as session:  # once applied, what people wrote is not kept twice
        payloads = set(session.scalars(select(InboxEvent.payload)))
    assert payloads == {""}


def test_events_an_earlier_process_stored_are_applied_when_the_writer_runs(
    sessions: Sessions, question_ts: str, writer: Inbox
) -> None:
    earlier = Inbox(sessions, lambda: NOW)  # stored, then the process died before applying
    earlier.receive(reply("EvBefore", question_ts, "1001.000001", "U0ALICE"))
    assert counts(sessions) == (0, 0, 1)

    assert writer.receive(reply("EvAfter", question_ts, "1001.000002", "U0BOB"))
    eventually(lambda: counts(sessions) == (2, 0, 0))
