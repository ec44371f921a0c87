"""RETENTION_DAYS: answers (thread, deleted and blind ones) older than the period go for good with
the votes on them, newer ones stay; the running clock does it at start and daily; a bad value
stops start-up with a sentence naming the variable."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, start_background_clock
from bot.config import ConfigError, Settings
from bot.privacy.service import PrivacyService
from bot.questions.library import QuestionLibrary
from bot.rounds.service import RoundService
from bot.sandbox.fake_slack import FakeSlack
from storage.blind import BlindAnswer, save_blind_answer
from storage.rounds import Answer, Round, upsert_answer
from storage.states import RoundStatus
from storage.votes import Vote, upsert_vote
from tests.helpers import BANK, client_for

NOW = datetime.now(UTC)
BASE_ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"}


def seed(sessions: sessionmaker[Session], ages: dict[str, int]) -> None:
    """One round per answer, answered `ages[ts]` days ago, with a vote and a blind answer."""
    with sessions.begin() as session:
        for n, (ts, days) in enumerate(ages.items()):
            when = NOW - timedelta(days=days)
            rnd = Round(
                team_id="T1",
                channel_id="C1",
                local_date=date(2026, 1, 1) + timedelta(days=n),
                sequence=0,
                question_id="q",
                status=RoundStatus.REVEALED,
                message_ts=f"{n}.000001",
                claimed_at=when,
            )
            session.add(rnd)
            session.flush()
            upsert_answer(
                session,
                round_id=rnd.id,
                team_id="T1",
                channel_id="C1",
                ts=ts,
                user_id="U1",
                text=f"answer {ts}",
                version=ts,
                now=when,
            )
            upsert_vote(
                session,
                team_id="T1",
                channel_id="C1",
                message_ts=ts,
                voter_id="U2",
                active=True,
                version=ts,
                now=when,
            )
            save_blind_answer(
                session, round_id=rnd.id, team_id="T1", user_id="U3", text=f"blind {ts}", now=when
            )


def left(sessions: sessionmaker[Session]) -> tuple[list[str], list[str], list[str]]:
    with sessions.begin() as session:
        return (
            sorted(session.scalars(select(Answer.text))),
            sorted(session.scalars(select(Vote.message_ts))),
            sorted(session.scalars(select(BlindAnswer.text))),
        )


def test_answers_older_than_the_period_go_with_their_votes(
    sessions: sessionmaker[Session],
) -> None:
    seed(sessions, {"1.1": 40, "2.2": 31, "3.3": 29, "4.4": 0})
    # a late vote on an old answer goes with the answer
    with sessions.begin() as session:
        upsert_vote(
            session,
            team_id="T1",
            channel_id="C1",
            message_ts="1.1",
            voter_id="U4",
            active=True,
            version="9.9",
            now=NOW,
        )

    expired = PrivacyService(sessions).delete_old_answers(30, NOW)

    assert (expired.answers, expired.votes, expired.blind_answers) == (2, 3, 2)
    assert left(sessions) == (
        ["answer 3.3", "answer 4.4"],
        ["3.3", "4.4"],
        ["blind 3.3", "blind 4.4"],
    )
    # the rounds stay (the channel's question history), only the answers went
    with sessions.begin() as session:
        assert len(session.scalars(select(Round)).all()) == 4
    # running it again deletes nothing more
    again = PrivacyService(sessions).delete_old_answers(30, NOW)
    assert (again.answers, again.votes, again.blind_answers) == (0, 0, 0)


def test_the_running_clock_applies_the_period_when_it_starts(
    sessions: sessionmaker[Session], fake: FakeSlack
) -> None:
    seed(sessions, {"1.1": 8, "2.2": 1})
    rounds = RoundService(sessions, QuestionLibrary(sessions, BANK), client_for(fake))
    scheduler = start_background_clock(Clock(sessions, rounds), retention_days=7)
    try:
        deadline = time.monotonic() + 20
        while left(sessions)[0] != ["answer 2.2"]:
            assert time.monotonic() < deadline, left(sessions)
            time.sleep(0.1)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert "retention" in jobs  # and again every day
    finally:
        scheduler.shutdown(wait=True)


def test_without_a_period_the_clock_keeps_answers(
    sessions: sessionmaker[Session], fake: FakeSlack
) -> None:
    rounds = RoundService(sessions, QuestionLibrary(sessions, BANK), client_for(fake))
    scheduler = start_background_clock(Clock(sessions, rounds))
    try:
        assert "retention" not in [job.id for job in scheduler.get_jobs()]
    finally:
        scheduler.shutdown(wait=True)


@pytest.mark.parametrize("value", ["0", "-3", "thirty", "1.5", "99999999"])
def test_a_bad_retention_period_is_refused_by_name(value: str) -> None:
    with pytest.raises(ConfigError, match="RETENTION_DAYS") as refused:
        Settings.from_env({**BASE_ENV, "RETENTION_DAYS": value})
    assert repr(value) in str(refused.value)


def test_a_retention_period_is_read_in_days() -> None:
    assert Settings.from_env({**BASE_ENV, "RETENTION_DAYS": " 90 "}).retention_days == 90
    assert Settings.from_env(BASE_ENV).retention_days is None
