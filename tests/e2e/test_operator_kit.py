"""The operator's commands against the real bot's database: `status` names channels (and still
works with Slack out of reach), `export` carries each round's question, category, difficulty,
kind, mode and workspace, as JSON or CSV, filtered by channel and date, and holds no token;
every command has a line in `--help`; a bad RETENTION_DAYS stops start-up with a sentence."""

from __future__ import annotations

import csv
import io
import json
import os
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
    assert f"  #interview-practice {fake.team_id}/{CHANNEL}: every weekday at 09:30" in status

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


def python_m_bot(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "DOTENV_PATH": "-"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def described(help_text: str) -> dict[str, str]:
    """command -> its line, from the `commands:` part of an argparse `--help`."""
    listing = help_text.split("commands:", 1)[1].splitlines()[2:]  # after "  COMMAND"
    found: dict[str, str] = {}
    last = ""
    for line in listing:
        if line.startswith("    ") and not line.startswith("      "):
            last, _, text = line.strip().partition(" ")
            found[last] = text.strip()
        elif line.strip() and last:
            found[last] = (found[last] + " " + line.strip()).strip()
    return found


def test_every_command_has_a_line_in_help() -> None:
    top = described(python_m_bot("--help").stdout)
    assert set(top) == {
        "run",
        "web",
        "clock",
        "migrate",
        "demo",
        "status",
        "questions",
        "export",
        "forget",
        "calibration",
    }
    for group, commands in (("questions", {"check"}), ("calibration", {"report"})):
        assert set(described(python_m_bot(group, "--help").stdout)) == commands
        top.update(described(python_m_bot(group, "--help").stdout))
    for command, text in top.items():
        assert len(text.split()) >= 3, (command, text)
    for command in ("export", "forget", "status", "demo"):
        own = python_m_bot(command, "--help").stdout
        assert top[command].split()[0] in own, own  # its own --help opens with the same line


def test_a_bad_retention_period_stops_start_up_with_a_sentence() -> None:
    result = python_m_bot(
        "web", SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", RETENTION_DAYS="0"
    )
    assert result.returncode == 2
    assert result.stderr.startswith("configuration error: RETENTION_DAYS must be a whole number")
    assert "Traceback" not in result.stderr
