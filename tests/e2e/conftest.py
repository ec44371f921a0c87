"""End-to-end fixtures: the real bot process (`python -m bot`) on its real HTTP server, talking to
the fake Slack Web API over HTTP (the `fake` fixture of ``tests/conftest.py``), driven with
Slack-signed requests.

The process helper and the cast live in :mod:`bot.sandbox.process` (the benchmarks share them);
the helpers that send Slack traffic live in :mod:`tests.helpers`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import SIGNING_SECRET, BotProcess


@pytest.fixture
def bot(fake: FakeSlack, tmp_path: Path) -> Iterator[BotProcess]:
    process = BotProcess(fake, tmp_path).start()
    yield process
    process.stop()


@pytest.fixture
def slack(bot: BotProcess, fake: FakeSlack) -> SlackDriver:
    return SlackDriver(bot.url, SIGNING_SECRET, fake)
