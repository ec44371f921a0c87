"""Notifications that respect people, through the real server: the reveal names people without
notifying them (unless they asked for reveal pings), and a snooze keeps a streak."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import time_machine

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, BOB, CAROL, CHANNEL, ROOT, SIGNING_SECRET, BotProcess
from tests.e2e.test_clock_process import SITECUSTOMIZE
from tests.e2e.test_progress import progress, questions
from tests.helpers import BERLIN, eventually, run


def answer_round(bot: BotProcess, slack: SlackDriver, fake: FakeSlack, *answerers: str) -> str:
    """`/interview now`, thread replies from `answerers`, stored; returns the question's ts."""
    count = len(questions(fake))
    assert "I'll reveal the answer" in run(slack, fake, "now", user=ADMIN)["text"]
    question = str(eventually(lambda: questions(fake)[count:])[0]["ts"])
    answers = {}
    for user in answerers:
        answers[user], _ = slack.reply(CHANNEL, question, f"{user}'s answer", user=user)

    def stored() -> bool:
        [rnd] = [r for r in bot.export()["rounds"] if r["message_ts"] == question]
        assert sorted(a["user"] for a in rnd["answers"]) == sorted(answerers)
        return True

    eventually(stored)
    return question


def reveal_posts(fake: FakeSlack, question: str) -> list[Any]:
    return [
        c
        for c in fake.calls("chat.postMessage")
        if c.args.get("thread_ts") == question and "The reveal" in c.args["text"]
    ]


def test_the_reveal_names_people_without_notifying_them_unless_they_asked(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    reply = run(slack, fake, "pings", user=BOB)
    assert reply["text"].startswith("Reveal pings are off")
    assert run(slack, fake, "pings on", user=BOB)["text"].startswith("Reveal pings are on")
    run(slack, fake, "pings on", user=CAROL)
    assert run(slack, fake, "snooze 1w", user=CAROL)["text"].startswith("Snoozed until")

    question = answer_round(bot, slack, fake, ALICE, BOB, CAROL)
    answers = {a["user"]: a["ts"] for r in bot.export()["rounds"] for a in r["answers"]}
    slack.react(CHANNEL, answers[ALICE], "+1", user=BOB, item_user=ALICE)
    eventually(
        lambda: [a["votes"] for r in bot.export()["rounds"] for a in r["answers"] if a["votes"]]
    )
    assert run(slack, fake, "reveal", user=ADMIN)["text"] == "Revealed. 3 answered."

    # The reveal as posted: Bob asked for pings, so he is mentioned (and notified); Alice is
    # named in plain text, and so is Carol, who asked for pings but is snoozed.
    [posted] = reveal_posts(fake, question)
    first = str(posted.args["text"]) + str(posted.args["blocks"])
    assert f"<@{BOB}>" in first
    assert f"<@{ALICE}>" not in first and f"<@{CAROL}>" not in first
    assert "*alice*" in first and "*carol*" in first  # the top-voted answer is Alice's too
    assert "<!" not in first.replace("<!date^", "")

    # Then the mentions are edited in: an edit notifies nobody.
    ts = posted.response["ts"]
    [edit] = eventually(lambda: [c for c in fake.calls("chat.update") if c.args["ts"] == ts])
    edited = str(edit.args["blocks"])
    assert all(f"<@{user}>" in edited for user in (ALICE, BOB, CAROL))
    shown = fake.find_message(CHANNEL, ts)
    assert shown is not None and "3 people answered" in str(shown["blocks"])
    assert "*alice*" not in str(shown["blocks"])


def test_stats_of_someone_else_respect_the_channels_leaderboard_switch(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    refused = run(slack, fake, "leaderboard off", user=BOB)
    assert refused["text"].startswith("Sorry, only this channel's admins")
    reply = run(slack, fake, "leaderboard off", user=ADMIN)
    assert reply["response_type"] == "in_channel"
    assert "turned the leaderboard off" in reply["text"]

    posts = len(fake.calls("chat.postMessage"))
    reply = run(slack, fake, "leaderboard week", user=ALICE)
    assert (
        reply["response_type"] == "ephemeral" and "keeps its leaderboard private" in reply["text"]
    )
    reply = run(slack, fake, f"stats <@{BOB}>", user=ALICE)
    assert "can't show someone else's stats here" in reply["text"]
    assert "Progress of" not in reply["text"]
    assert f"*Progress of <@{ALICE}>" in run(slack, fake, "stats", user=ALICE)["text"]
    assert len(fake.calls("chat.postMessage")) == posts  # nothing posted in the channel

    run(slack, fake, "leaderboard on", user=ADMIN)
    assert f"*Progress of <@{BOB}>" in run(slack, fake, f"stats <@{BOB}>", user=ALICE)["text"]


# -- a snooze keeps a streak: three days, the bot restarted on each with its clock moved -------


def day(number: int) -> datetime:
    return datetime(2026, 12, number, 10, 0, tzinfo=BERLIN)  # Tuesday 1 to Thursday 3


def test_a_snooze_keeps_a_streak_that_a_missed_day_would_break(
    fake: FakeSlack, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    bot = BotProcess(fake, tmp_path, PYTHONPATH=f"{site}:{ROOT}")
    slack = SlackDriver(bot.url, SIGNING_SECRET, fake)

    def on(number: int, play: Any) -> None:
        # Both sides travel: Slack (the fake, the signed requests) and the bot agree on the time.
        bot.env["BOT_TEST_TRAVEL_TO"] = str(day(number).timestamp())
        with time_machine.travel(day(number), tick=True):
            bot.start()
            try:
                play()
                assert run(slack, fake, "reveal", user=ADMIN)["text"].startswith("Revealed.")
            finally:
                bot.stop()

    on(1, lambda: answer_round(bot, slack, fake, ALICE, BOB))

    def second_day() -> None:
        reply = run(slack, fake, "snooze 1d", user=ALICE)
        assert reply["text"].startswith("Snoozed until")
        assert "won't break your streak" in reply["text"]
        answer_round(bot, slack, fake, CAROL)  # neither Alice nor Bob answers today

    on(2, second_day)

    def third_day() -> None:
        answer_round(bot, slack, fake, ALICE, BOB)
        alice = run(slack, fake, "stats", user=ALICE)["text"]
        bob = run(slack, fake, "stats", user=BOB)["text"]
        assert progress(alice)["streak"] == "2 2"  # Wednesday was snoozed: frozen, not broken
        assert progress(alice)["rate"] == "100%"
        assert progress(bob)["streak"] == "1 1"  # Bob missed Wednesday
        assert progress(bob)["rate"] == "67%"
        assert "days you snoozed never break it" in alice
        assert run(slack, fake, "snooze", user=ALICE)["text"].startswith("You're not snoozed")

    on(3, third_day)
