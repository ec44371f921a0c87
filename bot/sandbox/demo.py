"""`python -m bot demo`: a full day of the real bot against the local fake Slack, in seconds.

The real app runs on its real HTTP server; Slack-signed requests play four teammates; a virtual
clock moves the day along. The channel is printed as a person would read it."""

from __future__ import annotations

import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import waitress
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import build_bot
from bot.config import Settings
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.transcript import blocks_to_text
from bot.server import make_wsgi
from storage import queries

ZONE = "Europe/Berlin"
CHANNEL, CHANNEL_NAME = "CDEMO", "interview-practice"
ADA, ALICE, BOB, CAROL, DAVE = "UADA", "UALICE", "UBOB", "UCAROL", "UDAVE"
NAMES = {
    ADA: "ada",
    ALICE: "alice",
    BOB: "bob",
    CAROL: "carol",
    DAVE: "dave",
    "UBOT": "Interview Practice",
    CHANNEL: CHANNEL_NAME,
}
DEFAULT_BANK = Path(__file__).resolve().parents[2] / "data" / "questions.yaml"


@dataclass
class VirtualClock:
    current: datetime

    def now(self) -> datetime:
        return self.current

    def set_local(self, hhmm: str) -> None:
        local = self.current.astimezone(ZoneInfo(ZONE))
        hour, minute = map(int, hhmm.split(":"))
        self.current = local.replace(hour=hour, minute=minute).astimezone(UTC)


def next_weekday_morning(today: datetime) -> datetime:
    local = today.astimezone(ZoneInfo(ZONE)) + timedelta(days=1)
    while local.weekday() >= 5:
        local += timedelta(days=1)
    return local.replace(hour=9, minute=25, second=0, microsecond=0).astimezone(UTC)


class Narrator:
    def __init__(self, out: TextIO, clock: VirtualClock, pause: Callable[[], None]) -> None:
        self.out, self.clock, self.pause = out, clock, pause

    def _stamp(self) -> str:
        return f"{self.clock.now().astimezone(ZoneInfo(ZONE)):%H:%M}"

    def say(self, who: str, text: str, *, thread: bool = False, note: str = "") -> None:
        indent = "        ↳ " if thread else ""
        head = f"{self._stamp()}  {indent}{who}{note}: "
        lines = text.splitlines() or [""]
        pad = " " * (len(self._stamp()) + 2 + (10 if thread else 0) + 4)
        self.out.write(head + lines[0] + "\n")
        for line in lines[1:]:
            self.out.write(pad + line + "\n")
        self.out.flush()
        self.pause()

    def bot(self, message: dict, *, thread: bool = False, note: str = "") -> None:
        text = blocks_to_text(message.get("blocks"), message.get("text", ""), NAMES)
        self.say(
            "Interview Practice (app)",
            "\n" + text if "\n" in text else text,
            thread=thread,
            note=note,
        )

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()


def latest_post(fake: FakeSlack) -> dict:
    """The bot's most recent chat.postMessage as the channel shows it now."""
    ts = fake.calls("chat.postMessage")[-1].response["ts"]
    return fake.find_message(CHANNEL, ts) or {}


def run_demo(speed: float = 1.0, questions: Path | None = None, out: TextIO = sys.stdout) -> Path:
    """Play a day; returns the SQLite file it wrote."""
    workdir = Path(tempfile.mkdtemp(prefix="interview-demo-"))
    db_path = workdir / "interview-demo.db"
    clock = VirtualClock(next_weekday_morning(datetime.now(UTC)))
    say = Narrator(out, clock, lambda: time.sleep(0.25 / speed) if speed > 0 else None)

    fake = FakeSlack(team_name="Demo Co").start()
    fake.add_user(ADA, "ada", is_admin=True, tz=ZONE)
    for user in (ALICE, BOB, CAROL, DAVE):
        fake.add_user(user, NAMES[user], tz=ZONE)
    fake.add_channel(CHANNEL, CHANNEL_NAME)
    secret = secrets.token_hex(16)
    settings = Settings(
        signing_secret=secret,
        bot_token=fake.bot_token,
        database_url=f"sqlite:///{db_path}",
        slack_api_url=fake.api_url,
        questions_file=questions or DEFAULT_BANK,
    )
    bot = build_bot(settings, now=clock.now)
    server = waitress.create_server(
        make_wsgi(SlackRequestHandler(bot.app), bot.engine), host="127.0.0.1", port=0, threads=4
    )
    threading.Thread(target=server.run, daemon=True).start()
    slack = SlackDriver(f"http://127.0.0.1:{server.effective_port}/slack/events", secret, fake)

    def settle() -> None:
        """Wait until every event the bot acknowledged has been applied."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with bot.sessions.begin() as session:
                if not queries.pending_events(session):
                    return
            time.sleep(0.02)

    def command(user: str, text: str) -> None:
        before = len(fake.calls("response_url"))
        say.say(NAMES[user], f"/interview {text}")
        slack.command(text, user=user, channel=CHANNEL)
        deadline = time.monotonic() + 10
        while len(fake.calls("response_url")) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        reply = fake.calls("response_url")[-1].args
        note = "" if reply.get("response_type") == "in_channel" else " (only visible to you)"
        say.bot({"text": reply.get("text", "")}, note=note)

    try:
        day = clock.now().astimezone(ZoneInfo(ZONE))
        say.line(
            f"#{CHANNEL_NAME} in Demo Co — {day:%A %d %B %Y} ({ZONE}), a day played in seconds"
        )
        say.line("")
        command(ADA, f"schedule 09:30 {ZONE} weekdays reveal 16:00")

        clock.set_local("09:30")
        bot.clock.tick()
        question = latest_post(fake)
        say.bot(question)
        q = question["ts"]

        answers: dict[str, str] = {}

        def reply(at: str, user: str, text: str) -> None:
            clock.set_local(at)
            ts, _ = slack.reply(CHANNEL, q, text, user=user)
            answers[user] = ts
            say.say(NAMES[user], text, thread=True)

        reply(
            "09:41",
            ALICE,
            "I'd start by pinning down the requirements and constraints, sketch the simplest "
            "thing that meets them, then name the trade-offs out loud.",
        )
        reply("09:58", BOB, "Measure first: what does good look like, and how would we know?")
        reply("10:12", CAROL, "Let's order lunch at noon?")
        clock.set_local("10:13")
        slack.delete(CHANNEL, answers.pop(CAROL), user=CAROL, thread_ts=q)
        say.say("carol", "(deleted her message: it was meant for another thread)", thread=True)
        reply("10:30", DAVE, "A concrete story from my last job.")
        clock.set_local("10:34")
        edited = (
            "A concrete story from my last job: the situation, what I did, the result in "
            "numbers, and what I'd do differently."
        )
        slack.edit(CHANNEL, answers[DAVE], edited, user=DAVE, thread_ts=q)
        say.say("dave", edited, thread=True, note=" (edited)")
        reply(
            "11:05",
            CAROL,
            "Start from the failure modes: what breaks first, how we'd notice, and how we'd "
            "roll back.",
        )

        for at, voter, author in (
            ("12:10", BOB, ALICE),
            ("12:20", CAROL, ALICE),
            ("13:02", DAVE, CAROL),
            ("13:40", ALICE, DAVE),
            ("14:15", BOB, BOB),
        ):
            clock.set_local(at)
            slack.react(CHANNEL, answers[author], "+1", user=voter, item_user=author)
            own = " (own answer: not a vote)" if voter == author else ""
            say.say(NAMES[voter], f"reacted 👍 to {NAMES[author]}'s answer{own}", thread=True)
        settle()

        clock.set_local("16:00")
        bot.clock.tick()
        say.bot(latest_post(fake), thread=True)
        closed = fake.find_message(CHANNEL, q) or question
        say.line("")
        say.line("The question message now reads:")
        say.bot(closed)
        say.line("")
        clock.set_local("16:05")
        command(ALICE, "stats")
        updates = len(fake.calls("chat.update"))
        say.say(NAMES[ADA], "/interview leaderboard week")
        slack.command("leaderboard week", user=ADA, channel=CHANNEL)
        deadline = time.monotonic() + 10
        while len(fake.calls("chat.update")) == updates and time.monotonic() < deadline:
            time.sleep(0.02)
        board = fake.calls("chat.update")[-1].args
        say.bot({"text": board.get("text", "")}, note=" (edited in, so nobody is pinged)")
        say.line("")
        say.line(f"The day's data is in the SQLite file {db_path}")
        say.line(f"  see it as JSON:  DATABASE_URL=sqlite:///{db_path} python -m bot export")
        say.line("  connect a real workspace: README.md, 'Put it in your Slack workspace'")
    finally:
        server.close()
        fake.stop()
        bot.engine.dispose()
    return db_path
