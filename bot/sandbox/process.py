"""The real bot as a child process (`python -m bot`) against the fake Slack.

Shared by the end-to-end tests (``tests/e2e``) and the benchmarks (``bench/``): a fake Slack with
a small cast of users and channels (:func:`make_fake`), a bot process on its own port and SQLite
file that can be killed and restarted (:class:`BotProcess`), and :func:`eventually` to poll for
side effects that listeners produce after the ack. The bot runs from this source checkout.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.sandbox.fake_slack import FakeSlack

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
]

ROOT = Path(__file__).resolve().parents[2]  # the checkout: bot/sandbox/process.py -> <repo>
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
    result: T | None = None
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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_fake() -> FakeSlack:
    """A started fake Slack with an admin, a lead, four teammates and two channels."""
    fake = FakeSlack().start()
    fake.add_user(ADMIN, "ada", is_admin=True, tz="Europe/Berlin")
    fake.add_user(LEAD, "lea", tz="Europe/Berlin")
    for user, name in ((ALICE, "alice"), (BOB, "bob"), (CAROL, "carol"), (DAVE, "dave")):
        fake.add_user(user, name, tz="Europe/Berlin")
    fake.add_channel(CHANNEL, "interview-practice")
    fake.add_channel(OUTSIDE, "random", bot_is_member=False)
    return fake


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
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the handle
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
                healthy: bool = r.status == 200
                return healthy
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
        exported: dict[str, Any] = json.loads(self.cli("export"))
        return exported
