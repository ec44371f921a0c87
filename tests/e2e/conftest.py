"""End-to-end harness: the real bot process (`python -m bot`) on its real HTTP server, talking to
the fake Slack Web API over HTTP, driven with Slack-signed requests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "e2e-signing-secret"
ADMIN = "UADMIN"  # a workspace admin
LEAD = "ULEAD"  # not a workspace admin, but listed in INTERVIEW_ADMINS
ALICE, BOB, CAROL, DAVE = "UALICE", "UBOB", "UCAROL", "UDAVE"
CHANNEL = "CPRACTICE"
OUTSIDE = "COUTSIDE"  # the bot was not invited here

T = TypeVar("T")


def eventually(check: Callable[[], T], timeout: float = 10.0, interval: float = 0.05) -> T:
    """Poll until `check` returns a truthy value without raising (listeners run after the ack)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: last result {result!r}")
        time.sleep(interval)


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotProcess:
    """`python -m bot` as a child process; can be killed and restarted on the same database."""

    def __init__(self, fake: FakeSlack, workdir: Path, **extra_env: str) -> None:
        self.fake = fake
        self.workdir = workdir
        self.port = free_port()
        self.db_url = f"sqlite:///{workdir / 'bot.db'}"
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(workdir),
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": self.db_url,
            "PORT": str(self.port),
            "QUESTIONS_FILE": str(ROOT / "data" / "questions.yaml"),
            "INTERVIEW_ADMINS": LEAD,
            "DOTENV_PATH": str(workdir / "no.env"),
            **extra_env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "bot.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def start(self) -> BotProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=ROOT, env=self.env, stdout=log, stderr=log
        )
        eventually(self._healthy, timeout=30)
        return self

    def _healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"bot exited with {self.proc.returncode}:\n{self.logs()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing — what a crash or OOM kill looks like."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def cli(self, *args: str) -> str:
        """`python -m bot <args>` against the bot's database; returns stdout."""
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout

    def export(self) -> dict[str, Any]:
        return json.loads(self.cli("export"))


def make_fake() -> FakeSlack:
    fake = FakeSlack().start()
    fake.add_user(ADMIN, "ada", is_admin=True, tz="Europe/Berlin")
    fake.add_user(LEAD, "lea", tz="Europe/Berlin")
    for user, name in ((ALICE, "alice"), (BOB, "bob"), (CAROL, "carol"), (DAVE, "dave")):
        fake.add_user(user, name, tz="Europe/Berlin")
    fake.add_channel(CHANNEL, "interview-practice")
    fake.add_channel(OUTSIDE, "random", bot_is_member=False)
    return fake


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
