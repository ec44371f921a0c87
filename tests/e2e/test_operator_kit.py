"""The operator's commands against the real bot's database: `status` names channels (and still
works with Slack out of reach), `export` carries each round's question, category, difficulty,
kind, mode and workspace, as JSON or CSV, filtered by channel and date, and holds no token."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ROOT, SIGNING_SECRET, BotProcess, free_port
from tests.helpers import ADMIN, ALICE, BANK, BOB, CHANNEL, eventually, run, top_level

OTHER_CHANNEL = "CSECOND"


def test_status_names_channels_and_works_offline(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    run(slack, fake, "schedule 09:30 Europe/Berlin weekdays reveal 16:00", user=ADMIN)
    status = bot.cli("status")
    assert f"#interview-practice ({fake.team_id}/{CHANNEL}): " in status

    # Slack out of reach: the same status, with ids, and no long wait
    offline = {**bot.env, "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "status"],
        cwd=ROOT,
        env=offline,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert f"  {fake.team_id}/{CHANNEL}: " in result.stdout
    assert "#interview-practice" not in result.stdout
    assert time.monotonic() - started < 30  # one failed lookup, not one per channel with retries
    # and without any Slack credentials at all
    bare = {k: v for k, v in bot.env.items() if not k.startswith("SLACK_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "status"],
        cwd=ROOT,
        env=bare,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert f"  {fake.team_id}/{CHANNEL}: " in result.stdout


def test_export_carries_the_question_and_filters_by_channel_and_date(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    fake.add_channel(OTHER_CHANNEL, "second-practice")
    run(slack, fake, "now", user=ADMIN)
    run(slack, fake, "now", user=ADMIN, channel=OTHER_CHANNEL)
    [question] = top_level(fake)
    slack.reply(CHANNEL, question["ts"], '=HYPERLINK("http://x") my answer', user=ALICE)
    slack.reply(CHANNEL, question["ts"], "plain, with a comma", user=BOB)
    eventually(lambda: len(bot.export()["rounds"][0]["answers"]) == 2, timeout=20)

    exported = bot.cli("export")
    rounds = json.loads(exported)["rounds"]
    assert {r["channel"] for r in rounds} == {CHANNEL, OTHER_CHANNEL}
    [rnd] = [r for r in rounds if r["channel"] == CHANNEL]
    asked = BANK.get(rnd["question_id"])
    assert asked is not None
    assert (rnd["question"], rnd["category"], rnd["difficulty"]) == (
        asked.question,
        asked.category,
        asked.difficulty,
    )
    assert (rnd["team"], rnd["kind"], rnd["mode"]) == (fake.team_id, "daily", "open")
    assert "xoxb-" not in exported and SIGNING_SECRET not in exported

    as_csv = bot.cli("export", "--format", "csv", "--channel", CHANNEL)
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [(r["channel"], r["answer_user"]) for r in rows] == [(CHANNEL, ALICE), (CHANNEL, BOB)]
    assert {r["question"] for r in rows} == {asked.question}
    assert {(r["kind"], r["mode"], r["team"]) for r in rows} == {("daily", "open", fake.team_id)}
    # a spreadsheet shows Alice's answer as text instead of running it
    assert rows[0]["answer_text"] == '\'=HYPERLINK("http://x") my answer'
    assert rows[1]["answer_text"] == "plain, with a comma"
    assert "xoxb-" not in as_csv

    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert json.loads(bot.cli("export", "--since", tomorrow))["rounds"] == []
    later = bot.cli("export", "--format", "csv", "--since", tomorrow).splitlines()
    assert len(later) == 1 and later[0].startswith("team,channel,local_date,kind,mode")
    yesterday = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    only_other = json.loads(bot.cli("export", "--channel", OTHER_CHANNEL, "--since", yesterday))
    assert [r["channel"] for r in only_other["rounds"]] == [OTHER_CHANNEL]


def test_bad_export_arguments_get_a_sentence(bot: BotProcess) -> None:
    for args, says in (
        (["--since", "31/01/2026"], "not a date like 2026-01-31"),
        (["--channel", "#general"], "--channel takes a channel id like C012ABCDEF"),
        (["--format", "xml"], "invalid choice: 'xml'"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "bot", "export", *args],
            cwd=ROOT,
            env=bot.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2 and says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
