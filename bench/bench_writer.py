"""Benchmark: the inbox's writer alone, on one thread, no HTTP: how fast it stores deliveries
(group commits of 16, as under load) and applies them (thread answers, and votes on earlier
answers by someone else). What bench_ack's acknowledgement figures rest on, without the noise of
the server, the load generator and the other threads.

    .venv/bin/python bench/bench_writer.py [--events 3000] [--database-url URL]
    BENCH_QUICK=1 .venv/bin/python bench/bench_writer.py     # 200 events: proves it still runs

Two ways of applying are timed in the same run, each on a fresh database: as the writer applies
what it has just stored (`_apply_delivered`, from the bodies in hand), and as it applies what
was stored before (`apply_fresh`: read back, a batch at a time; after a restart or a failure).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _harness import database, machine  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.questions.bank import QuestionBank  # noqa: E402
from bot.rounds.inbox import Inbox, _Delivery  # noqa: E402
from bot.rounds.service import RoundService  # noqa: E402
from bot.sandbox.process import CHANNEL, ROOT, make_fake  # noqa: E402
from bot.slack.installs import SingleWorkspace  # noqa: E402
from storage.db import make_engine, make_session_factory, migrate  # noqa: E402
from storage.rounds import Answer, Round  # noqa: E402
from storage.votes import Vote  # noqa: E402

TEAM = "T0TEAM"
GROUP = 16  # deliveries stored in one commit, about what 32 connections bring at a time


def deliveries(question_ts: str, count: int, seed: int = 3) -> list[dict[str, Any]]:
    """Three answers for every vote; each vote is on an earlier answer, by someone else."""
    rng = random.Random(seed)
    base = time.time()
    answers: list[tuple[str, str]] = []
    out = []
    for i in range(count):
        if i % 4 == 3 and len(answers) > 30:
            ts, author = answers[rng.randrange(len(answers) - 10)]
            voter = f"U{(int(author[1:]) + 1 + rng.randrange(198)) % 200:05d}"
            event: dict[str, Any] = {
                "type": "reaction_added",
                "user": voter,
                "reaction": "+1",
                "item": {"type": "message", "channel": CHANNEL, "ts": ts},
                "item_user": author,
                "event_ts": f"{base + i:.6f}",
            }
        else:
            ts, author = f"{base + i / 1000:.6f}", f"U{i % 200:05d}"
            answers.append((ts, author))
            event = {
                "type": "message",
                "channel": CHANNEL,
                "user": author,
                "text": f"answer {i}: a hash map, then sort the keys",
                "ts": ts,
                "thread_ts": question_ts,
            }
        out.append(
            {"type": "event_callback", "team_id": TEAM, "event_id": f"Ev{i:07d}", "event": event}
        )
    return out


def run(url: str, count: int, how: str) -> dict[str, Any]:
    engine = make_engine(url)
    migrate(engine)
    sessions = make_session_factory(engine)
    fake = make_fake()
    try:
        from bot.channels.schedule import parse_schedule
        from bot.channels.service import ChannelService

        now = datetime.now(UTC)
        schedule = parse_schedule(["09:00", "UTC", "daily"], "UTC")
        ChannelService(sessions).subscribe(TEAM, CHANNEL, schedule, "U0ADMIN", now)
        bank = QuestionBank.load(ROOT / "data" / "questions.yaml")
        client = SingleWorkspace(_client(fake))
        RoundService(sessions, bank, client).start_now(TEAM, CHANNEL, now)
        with sessions.begin() as session:
            question_ts = session.scalars(select(Round.message_ts)).one()
        bodies = deliveries(str(question_ts), count)
        inbox = Inbox(sessions)
        stored_s = applied_s = 0.0
        for k in range(0, count, GROUP):
            group = [_Delivery(b) for b in bodies[k : k + GROUP]]
            began = time.perf_counter()
            for delivery, to_apply in zip(group, inbox._store(group), strict=True):
                delivery.to_apply = to_apply
            stored_s += time.perf_counter() - began
            if how == "just stored":
                began = time.perf_counter()
                inbox._apply_delivered(group)
                applied_s += time.perf_counter() - began
        if how == "stored before":
            began = time.perf_counter()
            while inbox.apply_fresh() > 0:
                pass
            applied_s = time.perf_counter() - began
        with sessions.begin() as session:
            answers = session.scalar(select(func.count()).select_from(Answer)) or 0
            votes = session.scalar(select(func.count()).select_from(Vote)) or 0
        return {
            "apply": how,
            "events": count,
            "store_ms_per_event": 1000 * stored_s / count,
            "apply_ms_per_event": 1000 * applied_s / count,
            "answers": answers,
            "votes": votes,
        }
    finally:
        fake.stop()
        engine.dispose()


def _client(fake: Any) -> Any:
    from slack_sdk import WebClient

    return WebClient(base_url=fake.api_url, token=fake.bot_token)


def main(argv: list[str] | None = None) -> int:
    quick = bool(os.environ.get("BENCH_QUICK"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200 if quick else 3000)
    parser.add_argument(
        "--database-url", help="PostgreSQL (a fresh schema is used); default SQLite"
    )
    parser.add_argument("--json", help="also write the reports here")
    args = parser.parse_args(argv)
    print("machine:", json.dumps(machine()))
    reports = []
    for how in ("just stored", "stored before"):
        if args.database_url:
            os.environ["BENCH_DATABASE_URL"] = args.database_url
            with database("postgresql") as url:
                assert url is not None
                report = run(url, args.events, how)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                report = run(f"sqlite:///{tmp}/writer.db", args.events, how)
        reports.append(report)
        print(
            f"writer, {how}: store {report['store_ms_per_event']:.3f} ms/event, "
            f"apply {report['apply_ms_per_event']:.3f} ms/event "
            f"({report['events']} events: {report['answers']} answers, {report['votes']} votes)",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
