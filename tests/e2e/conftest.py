"""End-to-end harness: the real bot process (`python -m bot`) on its real HTTP server, talking to
the fake Slack Web API over HTTP, driven with Slack-signed requests.

The process helper and the cast live in :mod:`bot.sandbox.process` (the benchmarks share them);
they are re-exported here for the test modules that import them from this conftest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.driver import SlackDriver
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
    SIGNING_SECRET,
    BotProcess,
    eventually,
    free_port,
    make_fake,
)

__all__ = [
    "ADMIN",
    "ALICE",
    "BOB",
    "CAROL",
    "CHANNEL",
    "DAVE",
    "LEAD",
    "OUTSIDE",
    "ROOT",
    "SIGNING_SECRET",
    "BotProcess",
    "eventually",
    "free_port",
    "make_fake",
    "run",
]


def run(
    slack: SlackDriver, fake: FakeSlack, text: str, *, user: str, channel: str = CHANNEL
) -> dict[str, Any]:
    """A slash command and the one response_url post it answers with."""
    before = len(fake.calls("response_url"))
    assert slack.command(text, user=user, channel=channel).status == 200
    eventually(lambda: len(fake.calls("response_url")) >= before + 1)
    responses = fake.calls("response_url")
    assert len(responses) == before + 1, [c.args.get("text") for c in responses[before:]]
    return responses[before].args


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = make_fake()
    yield fake
    fake.stop()


@pytest.fixture
def bot(fake: FakeSlack, tmp_path: Path) -> Iterator[BotProcess]:
    process = BotProcess(fake, tmp_path).start()
    yield process
    process.stop()


@pytest.fixture
def slack(bot: BotProcess, fake: FakeSlack) -> SlackDriver:
    return SlackDriver(bot.url, SIGNING_SECRET, fake)
