"""A deleted answer through the real bot process: once Alice deletes her reply, its text is in no
table of the bot's database and in no export (JSON or CSV), and neither Slack's retry of the
deletion nor a late reaction brings anything of it back; Bob's answer stays."""

from __future__ import annotations

import csv
import io
from typing import Any

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import BotProcess
from tests.e2e.test_forget_me import holding
from tests.helpers import ADMIN, ALICE, BOB, CAROL, CHANNEL, eventually, run, top_level

SECRET = "alice-regrets-this my home address is 1 Example Road"
EDITED = "alice-regrets-this even more, edited"
BOB_SAYS = "bob-keeps-this: queues decouple the writers"


def answers(bot: BotProcess) -> list[dict[str, Any]]:
    [rnd] = bot.export()["rounds"]
    found: list[dict[str, Any]] = rnd["answers"]
    return found


def test_a_deleted_answer_is_gone_from_the_database_and_the_export(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    run(slack, fake, "now", user=ADMIN)
    [question] = top_level(fake)
    alice_ts, _ = slack.reply(CHANNEL, question["ts"], SECRET, user=ALICE)
    slack.reply(CHANNEL, question["ts"], BOB_SAYS, user=BOB)
    slack.edit(CHANNEL, alice_ts, EDITED, user=ALICE)
    slack.react(CHANNEL, alice_ts, "+1", user=BOB, item_user=ALICE)
    eventually(
        lambda: (
            [(a["text"], len(a["votes"])) for a in answers(bot)] == [(EDITED, 1), (BOB_SAYS, 0)]
        ),
        timeout=20,
    )
    assert holding(bot.db_url, "alice-regrets-this")  # stored until now (a test of the test)

    slack.delete(CHANNEL, alice_ts, user=ALICE, thread_ts=question["ts"])
    eventually(lambda: [a["user"] for a in answers(bot)] == [BOB], timeout=20)
    # Slack retries the deletion; Carol's reaction to the deleted message arrives late
    assert slack.resend_last_event(retry_num=1).status == 200
    slack.react(CHANNEL, alice_ts, "+1", user=CAROL, item_user=ALICE)
    eventually(lambda: "Inbox: 0 events waiting" in bot.cli("status"), timeout=20)
    run(slack, fake, "reveal", user=ADMIN)

    assert [(a["user"], a["text"], a["votes"]) for a in answers(bot)] == [(BOB, BOB_SAYS, [])]
    exported = bot.cli("export")
    as_csv = bot.cli("export", "--format", "csv")
    for text in (exported, as_csv):
        assert "alice-regrets-this" not in text
    [row] = csv.DictReader(io.StringIO(as_csv))
    assert (row["answer_user"], row["answer_text"]) == (BOB, BOB_SAYS)
    # every table, the inbox's stored deliveries included (trimmed once applied)
    assert holding(bot.db_url, "alice-regrets-this") == []
    assert holding(bot.db_url, CAROL) == []  # her late vote was not kept
    assert "Traceback" not in bot.logs()
