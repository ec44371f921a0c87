"""The clock inside the real bot process: it posts at the channel's local time, and after a
restart past the reveal time it catches up. The process's wall clock is moved with time-machine
(started from a sitecustomize.py on its PYTHONPATH); monotonic clocks stay real."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from bot.channels.schedule import parse_schedule
from bot.channels.service import ChannelService
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, CHANNEL, ROOT, BotProcess, eventually
from storage.db import make_engine, make_session_factory, migrate
from tests.helpers import BERLIN

SITECUSTOMIZE = """
import os
import time_machine

_destination = os.environ.get("BOT_TEST_TRAVEL_TO")
if _destination:
    time_machine.travel(float(_destination), tick=True).start()
"""


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, second, tzinfo=BERLIN)  # a Tuesday


def round_status(db_url: str) -> str | None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT status FROM rounds")).scalar_one_or_none()
    finally:
        engine.dispose()


def test_scheduled_post_then_catch_up_reveal_after_a_restart(
    fake: FakeSlack, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    bot = BotProcess(fake, tmp_path, PYTHONPATH=f"{site}:{ROOT}")
    engine = make_engine(bot.db_url)
    migrate(engine)
    schedule = parse_schedule(["09:30", "Europe/Berlin", "daily", "reveal", "16:00"], "UTC")
    ChannelService(make_session_factory(engine)).subscribe(
        "T0TEAM", CHANNEL, schedule, ADMIN, at(8, 0)
    )
    engine.dispose()

    bot.env["BOT_TEST_TRAVEL_TO"] = str(at(9, 29, 56).timestamp())
    bot.start()
    try:
        [post] = eventually(lambda: fake.calls("chat.postMessage"), timeout=30)
        assert "Interview question of the day" in post.args["text"]
        assert "16:00 Europe/Berlin" in str(post.args["blocks"])
        assert post.response is not None
        # Slack has the post a moment before the bot has saved it; a kill in between is the
        # crash-recovery tests' story (tests/rounds/test_faults.py), not this one's.
        eventually(lambda: round_status(bot.db_url) == "open", timeout=30)
    finally:
        bot.kill()  # down over lunch

    bot.env["BOT_TEST_TRAVEL_TO"] = str(at(16, 20).timestamp())
    bot.start()
    try:
        eventually(lambda: fake.calls("chat.update"), timeout=30)
        posts = fake.calls("chat.postMessage")
        assert len(posts) == 2  # the question, then the reveal; no second question that day
        reveal = posts[1].args
        assert reveal["thread_ts"] == post.response["ts"] and "The reveal" in reveal["text"]
        [rnd] = bot.export()["rounds"]
        assert rnd["local_date"] == "2026-12-01" and rnd["revealed_at"].startswith(
            "2026-12-01T15:2"
        )
    finally:
        bot.stop()
