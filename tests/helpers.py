"""Factories for the in-process tests of the feature UIs and `/interview`: the services and UIs
built exactly as `bot.app.build_bot` builds them, on a test database and the real fake Slack.

Only Slack (the fake, over HTTP) and the clock (a `now` passed in) stand in for the real thing.
The cast and the channels come from :func:`bot.sandbox.process.make_fake`, which the
end-to-end tests use too. Test folders get the fixtures by importing them in their conftest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.calibration.reports import CalibrationReports
from bot.calibration.sessions import CalibrationService
from bot.calibration.ui import CalibrationUI
from bot.channels.service import ChannelService
from bot.channels.ui import ChannelsUI
from bot.progress.service import ProgressService
from bot.progress.ui import ProgressUI
from bot.questions.bank import QuestionBank
from bot.questions.library import QuestionLibrary
from bot.questions.ui import QuestionsUI
from bot.rounds.blind import BlindAnswers
from bot.rounds.inbox import Inbox
from bot.rounds.service import RoundService
from bot.rounds.ui import RoundsUI
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    DAVE,
    LEAD,
    OUTSIDE,
    ROOT,
    make_fake,
)
from bot.slack.clients import ClientFor
from bot.slack.people import People
from bot.slack.replies import Invocation
from bot.slash import SlashCommands, help_text

__all__ = [
    "ADMIN",
    "ALICE",
    "BANK",
    "BOB",
    "CAROL",
    "CHANNEL",
    "DAVE",
    "LEAD",
    "MANAGER",
    "NOW",
    "OUTSIDE",
    "TEAM",
    "UIs",
    "answer_in_thread",
    "build_uis",
    "button_value",
    "client_for",
    "fake_fixture",
    "invocation",
    "make_fake",
    "private_metadata",
    "top_level",
    "uis_fixture",
    "vote",
]

BANK = QuestionBank.load(ROOT / "data" / "questions.yaml")
TEAM = "T0TEAM"  # the fake's workspace
MANAGER = CAROL  # listed in INTERVIEW_MANAGERS by build_uis (not a workspace admin)
# A Monday, 08:00 in Berlin: before the usual 09:30 post, on a weekday.
NOW = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)

Sessions = sessionmaker[Session]


@dataclass(frozen=True)
class UIs:
    """Everything a test talks to: the fake Slack, the features' UIs and `/interview`."""

    fake: FakeSlack
    people: People
    library: QuestionLibrary
    questions: QuestionsUI
    channels: ChannelsUI
    rounds: RoundsUI
    progress: ProgressUI
    calibration: CalibrationUI
    slash: SlashCommands
    inbox: Inbox


def client_for(fake: FakeSlack) -> ClientFor:
    """One Web API client on the fake for every workspace, as a single-workspace bot has."""
    client = WebClient(token=fake.bot_token, base_url=fake.api_url)
    return lambda _team_id: client


def build_uis(
    sessions: Sessions,
    fake: FakeSlack,
    now: datetime = NOW,
    *,
    admins: frozenset[str] = frozenset({LEAD}),
    managers: frozenset[str] = frozenset({MANAGER}),
) -> UIs:
    """The services and UIs as `bot.app.build_bot` wires them (INTERVIEW_ADMINS=`admins`,
    INTERVIEW_MANAGERS=`managers`), without Bolt."""
    slack = client_for(fake)
    people = People(slack, admins, managers)
    library = QuestionLibrary(sessions, BANK)
    rounds = RoundService(sessions, library, slack)
    channels = ChannelService(sessions)
    progress = ProgressService(sessions, library, channels, slack)
    calibration = CalibrationService(sessions, library, slack)

    questions_ui = QuestionsUI(library, slack)
    channels_ui = ChannelsUI(channels, library, slack, people)
    rounds_ui = RoundsUI(rounds, BlindAnswers(sessions, slack), library, slack, people)
    progress_ui = ProgressUI(progress, slack, people, help_text=help_text())
    calibration_ui = CalibrationUI(
        calibration, CalibrationReports(sessions), library, slack, people
    )
    uis = (questions_ui, channels_ui, rounds_ui, progress_ui, calibration_ui)
    slash = SlashCommands({name: run for ui in uis for name, run in ui.handlers().items()}, people)
    return UIs(
        fake=fake,
        people=people,
        library=library,
        questions=questions_ui,
        channels=channels_ui,
        rounds=rounds_ui,
        progress=progress_ui,
        calibration=calibration_ui,
        slash=slash,
        inbox=Inbox(sessions, lambda: now),
    )


def invocation(
    user: str, text: str = "", channel: str = CHANNEL, trigger_id: str | None = None
) -> Invocation:
    """`/interview <text>` typed by `user` in `channel`."""
    return Invocation(TEAM, channel, user, text, trigger_id)


def private_metadata(**values: object) -> str:
    """A submitted modal's `private_metadata`, as the bot wrote it."""
    return json.dumps(values)


def top_level(fake: FakeSlack, channel: str = CHANNEL) -> list[dict[str, Any]]:
    """The bot's messages in the channel that are not thread replies."""
    return [m for m in fake.messages(channel) if not m["thread_ts"]]


def button_value(message: dict[str, Any], action_id: str) -> str:
    """The value of a button on a posted message: what Slack sends back when it is pressed."""
    for block in message["blocks"] or []:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button on {message['text']!r}")


def answer_in_thread(
    uis: UIs, thread_ts: str, user: str, text: str, ts: str, channel: str = CHANNEL
) -> None:
    """A person replies in a question's thread: the message event Slack delivers, through the
    durable inbox as the events listener hands it over."""
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
    }
    _deliver(uis, event, f"Ev{ts}")


def vote(
    uis: UIs, voter: str, author: str, answer_ts: str, emoji: str = "+1", channel: str = CHANNEL
) -> None:
    """A person reacts with `emoji` on an answer."""
    event = {
        "type": "reaction_added",
        "user": voter,
        "item_user": author,
        "reaction": emoji,
        "item": {"type": "message", "channel": channel, "ts": answer_ts},
        "event_ts": answer_ts,
    }
    _deliver(uis, event, f"Ev{voter}{answer_ts}")


def _deliver(uis: UIs, event: dict[str, Any], event_id: str) -> None:
    body = {"type": "event_callback", "team_id": TEAM, "event_id": event_id, "event": event}
    assert uis.inbox.receive(body)
    assert uis.inbox.process(event_id) is not None


# -- fixtures (imported by the conftest of each test folder) -----------------------------------


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[FakeSlack]:
    """The fake Slack with the cast of `bot.sandbox.process.make_fake`."""
    fake = make_fake()
    yield fake
    fake.stop()


@pytest.fixture(name="uis")
def uis_fixture(sessions: Sessions, fake: FakeSlack) -> UIs:
    return build_uis(sessions, fake)
