"""Sizing: the bot's idle memory and how much the SQLite database grows per 1,000 answers.

Runs `python -m bot` (server and clock in one process, as `make run` does) against the fake
Slack, reads its resident memory once it has settled, then posts a round, sends N answers and N
votes as Slack-signed events, and reports the database file's growth (after a WAL checkpoint).

    .venv/bin/python bench/footprint.py [--answers 1000]

Linux only (reads /proc). The README's "Sizing and running cost" quotes its output.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox.driver import SlackDriver  # noqa: E402
from bot.sandbox.process import ADMIN, CHANNEL, SIGNING_SECRET, BotProcess, make_fake  # noqa: E402


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def database_bytes(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds before reading RSS")
    args = parser.parse_args()

    fake = make_fake()
    users = [f"U{i:05d}" for i in range(50)]
    for user in users:
        fake.add_user(user, user.lower())
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(fake, Path(tmp)).start()
        try:
            assert bot.proc is not None
            time.sleep(args.settle)
            idle = rss_mib(bot.proc.pid)
            slack = SlackDriver(bot.url, SIGNING_SECRET, fake)
            slack.command("now", user=ADMIN, channel=CHANNEL)
            while not fake.messages(CHANNEL):
                time.sleep(0.01)
            question = fake.messages(CHANNEL)[0]["ts"]
            before = database_bytes(Path(tmp) / "bot.db")
            answers = []
            for i in range(args.answers):
                text = f"answer {i}: " + "start from the access patterns and the consistency " * 4
                answers.append(slack.reply(CHANNEL, question, text, user=users[i % 50])[0])
            for i, ts in enumerate(answers):
                slack.react(CHANNEL, ts, "+1", user=users[(i + 1) % 50], item_user=users[i % 50])
            while len(bot.export()["rounds"][0]["answers"]) < args.answers:
                time.sleep(0.1)
            busy = rss_mib(bot.proc.pid)
        finally:
            bot.stop()
            fake.stop()
        after = database_bytes(Path(tmp) / "bot.db")

    print(f"idle RSS (server and clock in one process): {idle:.0f} MiB")
    print(f"RSS after {args.answers} answers and votes: {busy:.0f} MiB")
    growth = (after - before) / args.answers * 1000
    print(
        f"SQLite growth: {(after - before) / 1024:.0f} KiB for {args.answers} answers of about "
        f"220 characters with a vote each, {growth / 1024:.0f} KiB per 1,000"
    )


if __name__ == "__main__":
    main()
