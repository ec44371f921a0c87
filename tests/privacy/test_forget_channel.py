"""`python -m bot forget --channel C…`: everything the bot stored about the channel goes (schedule,
rounds, answers, votes, calibration sessions and scores, the events it received from there keep
only their id) and the command says what went; other channels and workspaces keep theirs.
`forget --workspace T…` does the same for a whole workspace that removed the app, tokens too."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.fake_slack import FakeSlack
from storage.blind import BlindAnswer
from storage.channels import ChannelSchedule
from storage.inbox import InboxEvent
from storage.votes import Vote
from tests.helpers import CHANNEL, TEAM
from tests.privacy.test_forget_me import (
    BLIND_CHANNEL,
    OTHER_TEAM,
    build_world,
    holding,
    python_m_bot,
)


def count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions.begin() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_forgetting_a_channel_leaves_nothing_of_it(
    sessions: sessionmaker[Session], fake: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    world = build_world(sessions, fake)
    engine = sessions.kw["bind"]
    assert {"rounds.channel_id", "answers.channel_id", "votes.channel_id"} <= set(
        holding(engine, CHANNEL)
    )  # the world really holds the channel (a test of the test)
    events = count(sessions, InboxEvent)

    said = python_m_bot(database_url, tmp_path, "forget", "--channel", CHANNEL, "--team", TEAM)

    assert said.startswith(f"forgot channel {CHANNEL} in workspace {TEAM}: ")
    for part in (
        "1 schedule and settings row",
        "1 round (with its reminders)",
        "2 answers",
        "3 votes",
        "2 calibration sessions",
        "4 calibration scores",
        "1 stored event emptied",
    ):
        assert part in said, said
    assert holding(engine, CHANNEL) == []
    for words in ("alice-final-answer", "bob-open-answer", "alice-rater-note", "bob-rater-note"):
        assert holding(engine, words) == [], words
    # Slack's retries are still recognised: the deliveries keep their ids
    assert count(sessions, InboxEvent) == events
    assert world.inbox.drain() == 0
    # the blind channel and the other workspace keep theirs
    with sessions.begin() as session:
        assert session.get(ChannelSchedule, (TEAM, BLIND_CHANNEL)) is not None
        assert sorted(session.scalars(select(BlindAnswer.text))) == [
            "alice-blind-secret",
            "bob-blind-answer",
        ]
        assert list(session.scalars(select(Vote.team_id))) == [OTHER_TEAM]

    again = python_m_bot(database_url, tmp_path, "forget", "--channel", CHANNEL)
    assert f"forgot channel {CHANNEL} in every workspace: " in again
    assert "0 rounds" in again


def test_the_blind_channel_takes_its_blind_answers_with_it(
    sessions: sessionmaker[Session], fake: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    build_world(sessions, fake)
    said = python_m_bot(database_url, tmp_path, "forget", "--channel", BLIND_CHANNEL)
    assert "2 blind answers" in said
    assert count(sessions, BlindAnswer) == 0
    assert holding(sessions.kw["bind"], "alice-final-answer")  # the other channel keeps its


@pytest.mark.parametrize("bad", ["general", "#general", "U0ALICE", "c0lower"])
def test_a_channel_is_named_by_its_id(bad: str, database_url: str, tmp_path: Path) -> None:
    with pytest.raises(Exception) as failed:
        python_m_bot(database_url, tmp_path, "forget", "--channel", bad)
    stderr = getattr(failed.value, "stderr", "")
    assert "--channel takes a channel id like C012ABCDEF" in stderr
    assert "Traceback" not in stderr


def test_forgetting_a_workspace_leaves_only_event_ids(
    sessions: sessionmaker[Session], fake: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    build_world(sessions, fake)
    engine = sessions.kw["bind"]
    assert holding(engine, "xoxb-installed")  # its installation is stored (a test of the test)

    said = python_m_bot(database_url, tmp_path, "forget", "--workspace", TEAM)

    assert said.startswith(f"forgot workspace {TEAM}: ")
    for part in ("2 schedule and settings rows", "2 rounds", "2 blind answers", "1 team question"):
        assert part in said, said
    # only the deliveries' workspace stays beside their ids, so Slack's retries are recognised
    assert holding(engine, TEAM) == ["inbox_events.team_id"]
    assert holding(engine, "xoxb-installed") == []
    for words in ("alice-final-answer", "alice-blind-secret", "bob-rater-note"):
        assert holding(engine, words) == [], words
    with sessions.begin() as session:
        assert list(session.scalars(select(Vote.team_id))) == [OTHER_TEAM]


def test_a_workspace_is_named_by_its_team_id(database_url: str, tmp_path: Path) -> None:
    for args, says in (
        (["--workspace", "acme"], "--workspace takes a team id like T012ABCDEF"),
        (["--workspace", TEAM, "--team", TEAM], "leave out --team"),
    ):
        with pytest.raises(Exception) as failed:
            python_m_bot(database_url, tmp_path, "forget", *args)
        assert says in getattr(failed.value, "stderr", ""), failed.value
