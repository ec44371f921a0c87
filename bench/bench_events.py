"""Benchmark: how fast the real bot acknowledges and applies a burst of thread answers.

Runs `python -m bot` on its real HTTP server against the fake Slack, sends N Slack-signed
answer events from C concurrent senders, and reports ack latency (p50/p95/max), throughput,
and how long until every answer is in the database.

    .venv/bin/python bench/bench_events.py [--answers 500] [--concurrency 8] [--database-url URL]

With --database-url, use an empty database of its own: the run migrates it and leaves its rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox.driver import SlackDriver  # noqa: E402
from bot.sandbox.process import ADMIN, CHANNEL, SIGNING_SECRET, BotProcess, make_fake  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()

    fake = make_fake()
    users = [f"U{i:05d}" for i in range(50)]
    for user in users:
        fake.add_user(user, user.lower())
    with tempfile.TemporaryDirectory() as tmp:
        extra = {"DATABASE_URL": args.database_url} if args.database_url else {}
        bot = BotProcess(fake, Path(tmp), **extra)
        if args.database_url:
            bot.cli("migrate")
        bot.start()
        try:
            slack = SlackDriver(bot.url, SIGNING_SECRET, fake)
            slack.command("now", user=ADMIN, channel=CHANNEL)
            while not fake.messages(CHANNEL):
                time.sleep(0.01)
            question = fake.messages(CHANNEL)[0]["ts"]

            def answer(i: int) -> float:
                started = time.perf_counter()
                _, response = slack.reply(CHANNEL, question, f"answer {i}", user=users[i % 50])
                assert response.status == 200
                return time.perf_counter() - started

            began = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                latencies = sorted(pool.map(answer, range(args.answers)))
            sent = time.perf_counter() - began
            while len(bot.export()["rounds"][0]["answers"]) < args.answers:
                time.sleep(0.05)
            applied = time.perf_counter() - began
        finally:
            bot.stop()
            fake.stop()

    ms = [x * 1000 for x in latencies]
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"answers: {args.answers}, concurrency: {args.concurrency}")
    print(
        f"ack latency ms: p50 {statistics.median(ms):.1f}  "
        f"p95 {ms[int(len(ms) * 0.95) - 1]:.1f}  max {ms[-1]:.1f}"
    )
    print(f"throughput: {args.answers / sent:.0f} events/s acknowledged")
    print(f"all answers in the database after {applied:.2f}s")


if __name__ == "__main__":
    main()
