"""Benchmark: the morning fan-out. Thousands of subscribed channels over many workspaces are due
in the same minute; one clock tick must post each question exactly once, within a minute, at
the pace Slack allows.

Runs the bot's real composition root (`build_bot`, multi-workspace OAuth mode, as
`python -m bot clock` builds it) and calls `Clock.tick` once, against the fake Slack over HTTP.
The fake answers every call after `--latency` seconds and rate-limits `chat.postMessage` per
workspace (`--rate`/`--burst`, token bucket) and per channel (1/s, burst 3), answering HTTP 429
with `Retry-After` past it. Reports, per size: seconds until every question was posted, how many
were posted within 60 s, the highest rate any workspace saw in a one-second window, the 429s,
duplicates, and the SQL statements the tick ran (all of it, and the due-selection part).

    .venv/bin/python bench/bench_fanout.py                  # 200 and 2,000 channels, 20 workspaces
    .venv/bin/python bench/bench_fanout.py --smoke          # a few seconds
    .venv/bin/python bench/bench_fanout.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

With --database-url, each size gets a fresh schema (PostgreSQL) that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402
from slack_sdk.oauth.installation_store.models.installation import Installation  # noqa: E402
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore  # noqa: E402
from sqlalchemy import event, insert, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bot.app import build_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.sandbox.fake_slack import FakeSlack, Rate  # noqa: E402
from storage.channels import ChannelSchedule  # noqa: E402
from storage.db import make_engine, migrate  # noqa: E402
from storage.rounds import Round  # noqa: E402

CLIENT_ID, CLIENT_SECRET = "1111.2222", "bench-client-secret"
# Monday 09:00 UTC; the tick runs 30 s later. Channels in several zones, all due at that instant.
DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney")
WINDOW = 60.0  # the target: everything posted within a minute


@dataclass
class Result:
    channels: int
    workspaces: int
    seconds_to_all: float
    within_window: int
    posted: int
    duplicates: int
    missing: int
    throttled: int
    max_workspace_rate: int
    max_channel_rate: int
    due_statements: int
    tick_statements: int


class StatementCounter:
    """Counts the SQL statements an engine runs while `counting` is on."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.on = False
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        if self.on:
            with self._lock:
                self.count += 1

    @contextmanager
    def counting(self) -> Iterator[None]:
        self.count, self.on = 0, True
        try:
            yield
        finally:
            self.on = False


class FakeSlackProcess:
    """The fake Slack in a child process, as Slack is another machine: answering 2,000 posts
    must not take the bot's interpreter lock. Its methods are called over a pipe."""

    def __init__(self, **options: Any) -> None:
        context = multiprocessing.get_context("fork")  # before the bot starts any thread
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve_fake, args=(child, options), daemon=True)
        self._process.start()
        self.api_url: str = self._call("api_url")
        self.bot_id: str = self._call("bot_id")

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self._pipe.send((name, args, kwargs))
        ok, value = self._pipe.recv()
        if not ok:
            raise value
        return value

    def __getattr__(self, name: str) -> Any:
        return partial(self._call, name)

    def stop(self) -> None:
        self._call("stop")
        self._process.join(timeout=10)


def _serve_fake(pipe: Connection, options: dict[str, Any]) -> None:
    fake = FakeSlack(**options).start()
    while True:
        name, args, kwargs = pipe.recv()
        try:
            attribute = getattr(fake, name)
            pipe.send((True, attribute(*args, **kwargs) if callable(attribute) else attribute))
        except Exception as exc:
            pipe.send((False, exc))
        if name == "stop":
            return


def run(
    channels: int, workspaces: int, latency: float, rate: Rate, database_url: str | None
) -> Result:
    fake = FakeSlackProcess(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    try:
        with tempfile.TemporaryDirectory() as tmp, _database(database_url, tmp) as url:
            return _measure(fake, url, channels, workspaces, latency, rate)
    finally:
        fake.stop()


@contextmanager
def _database(database_url: str | None, tmp: str) -> Iterator[str]:
    """A fresh SQLite file, or a fresh schema on the given PostgreSQL database."""
    if database_url is None:
        yield f"sqlite:///{tmp}/fanout.db"
        return
    schema = f"bench_fanout_{int(time.time() * 1000)}"
    admin = make_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in database_url else "?"
    try:
        yield f"{database_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _measure(
    fake: FakeSlackProcess, url: str, channels: int, workspaces: int, latency: float, rate: Rate
) -> Result:
    settings = Settings(
        signing_secret="bench-signing-secret",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        database_url=url,
        questions_file=ROOT / "data" / "questions.yaml",
        slack_api_url=fake.api_url,
    )
    engine = make_engine(url)
    migrate(engine)
    teams = [f"T{w:04d}BENCH" for w in range(workspaces)]
    token_team = _install(fake, engine, teams)
    plan = _subscribe(fake, engine, teams, channels)
    engine.dispose()

    now = DUE + timedelta(seconds=30)
    bot = build_bot(settings, now=lambda: now)
    counter = StatementCounter(bot.engine)
    with counter.counting():
        due = bot.clock.due_posts(now)
    due_statements = counter.count
    assert len(due) == channels, f"{len(due)} of {channels} channels due"

    fake.reset()
    fake.slow_down(latency)
    fake.limit_rate("chat.postMessage", per_workspace=rate, per_channel=Rate(1.0, 3))
    started = time.time()
    with counter.counting():
        report = bot.clock.tick(now)
    tick_statements = counter.count
    bot.engine.dispose()

    calls = fake.calls("chat.postMessage")
    ok = [c for c in calls if c.status == 200 and c.response and c.response.get("ok")]
    per_channel = Counter(str(c.args["channel"]) for c in ok)
    times = sorted(c.at - started for c in ok)
    by_team: dict[str, list[float]] = defaultdict(list)
    by_channel: dict[str, list[float]] = defaultdict(list)
    for call in ok:
        by_team[token_team[call.token or ""]].append(call.at)
        by_channel[str(call.args["channel"])].append(call.at)
    assert set(report.posted) <= set(plan)
    return Result(
        channels=channels,
        workspaces=workspaces,
        seconds_to_all=times[-1] if times else float("nan"),
        within_window=sum(1 for t in times if t <= WINDOW),
        posted=len(per_channel),
        duplicates=sum(n - 1 for n in per_channel.values()),
        missing=sum(1 for ch in plan if per_channel[ch] == 0),
        throttled=sum(1 for c in calls if c.status == 429),
        max_workspace_rate=max((_max_in_a_second(t) for t in by_team.values()), default=0),
        max_channel_rate=max((_max_in_a_second(t) for t in by_channel.values()), default=0),
        due_statements=due_statements,
        tick_statements=tick_statements,
    )


def _install(fake: FakeSlackProcess, engine: Engine, teams: list[str]) -> dict[str, str]:
    """Each workspace installs the app through OAuth, saved as Bolt's OAuth flow saves it."""
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    token_team = {}
    for team in teams:
        code = fake.issue_oauth_code(team)
        answer = WebClient(base_url=fake.api_url).oauth_v2_access(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
        )
        token = str(answer["access_token"])
        store.save(
            Installation(
                app_id=answer["app_id"],
                team_id=team,
                team_name=answer["team"]["name"],
                bot_token=token,
                bot_id=fake.bot_id,
                bot_user_id=answer["bot_user_id"],
                bot_scopes=answer["scope"],
                user_id=answer["authed_user"]["id"],
                token_type=answer["token_type"],
            )
        )
        token_team[token] = team
    return token_team


def _subscribe(
    fake: FakeSlackProcess, engine: Engine, teams: list[str], channels: int
) -> list[str]:
    """`channels` subscribed channels spread over the workspaces, each due at DUE in its zone,
    with yesterday's round already revealed."""
    rows, rounds, plan = [], [], []
    for i in range(channels):
        team, channel, zone = teams[i % len(teams)], f"C{i:07d}", ZONES[i % len(ZONES)]
        fake.add_channel(channel, f"practice-{i}")
        local = DUE.astimezone(ZoneInfo(zone))
        rows.append(
            {
                "team_id": team,
                "channel_id": channel,
                "post_time": f"{local:%H:%M}",
                "timezone": zone,
                "days": "daily",
                "vote_emoji": "+1",
                "paused": False,
                "mode": "open",
                "updated_at": DUE - timedelta(days=7),
            }
        )
        yesterday = DUE - timedelta(days=1)
        rounds.append(
            {
                "team_id": team,
                "channel_id": channel,
                "local_date": local.date() - timedelta(days=1),
                "sequence": 0,
                "question_id": "-",
                "status": "revealed",
                "message_ts": f"{yesterday.timestamp():.6f}",
                "reveal_ts": f"{yesterday.timestamp() + 1:.6f}",
                "claimed_at": yesterday,
                "posted_at": yesterday,
                "reveal_at": yesterday + timedelta(hours=8),
                "revealed_at": yesterday + timedelta(hours=8),
            }
        )
        plan.append(channel)
    with engine.begin() as conn:
        conn.execute(insert(ChannelSchedule), rows)
        conn.execute(insert(Round), rounds)
    return plan


def _max_in_a_second(instants: list[float]) -> int:
    """The most calls in any one-second window."""
    instants, best, start = sorted(instants), 0, 0
    for end, at in enumerate(instants):
        while at - instants[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def yardstick_ms() -> float:
    """How fast this machine runs Python right now: the benchmarks share it with other work."""
    began, total = time.perf_counter(), 0
    for step in range(1_000_000):
        total += step
    return (time.perf_counter() - began) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per Slack answer")
    parser.add_argument("--rate", type=float, default=5.0, help="posts/s per workspace")
    parser.add_argument("--burst", type=int, default=10, help="posts at once per workspace")
    parser.add_argument("--database-url", help="PostgreSQL database (default: SQLite files)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that proves it works")
    args = parser.parse_args(argv)
    if args.smoke:
        args.channels, args.workspaces, args.latency = [6, 12], 3, 0.01

    rate = Rate(args.rate, args.burst)
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(
        f"machine yardstick: {yardstick_ms():.0f} ms for 1M Python loop steps (~40 on an idle core)"
    )
    print(
        f"fake Slack: {args.latency * 1000:.0f} ms per answer; chat.postMessage limited to "
        f"{rate.per_second:g}/s (burst {rate.burst}) per workspace and 1/s (burst 3) per channel"
    )
    header = (
        "channels  workspaces  all posted (s)  within 60 s  duplicates  missing  429s  "
        "max/s per workspace  max/s per channel  SQL: due-selection  SQL: whole tick"
    )
    print(header)
    results = []
    for channels in args.channels:
        r = run(channels, args.workspaces, args.latency, rate, args.database_url)
        results.append(r)
        print(
            f"{r.channels:>8}  {r.workspaces:>10}  {r.seconds_to_all:>14.1f}  "
            f"{r.within_window:>11}  {r.duplicates:>10}  {r.missing:>7}  {r.throttled:>4}  "
            f"{r.max_workspace_rate:>19}  {r.max_channel_rate:>17}  {r.due_statements:>18}  "
            f"{r.tick_statements:>15}",
            flush=True,
        )
    failed = any(r.duplicates or r.missing for r in results)
    print("exactly once: " + ("NO" if failed else "yes (every channel posted once)"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
