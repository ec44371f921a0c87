"""Benchmark: data growth. Does `/interview stats`, the leaderboard, a reveal and the calibration
report stay fast as the bot's history grows?

Generates a history with bulk inserts, then runs the bot's real services (ProgressService,
RoundService.reveal against the fake Slack over HTTP, CalibrationReports) and sums the time of
every SQL statement they run (SQLAlchemy cursor events), for two sizes:

- small: 1 workspace, 1 channel: 1,000 rounds (three years of daily rounds), 10k answers, 10k
  votes, 100 people, 400 closed calibration sessions with 6 scores each;
- large: the same channel among 100 (10 workspaces): 100k rounds, 1M answers, 1M votes, 10k
  people, 4,000 calibration sessions, 24k scores.

The measured channel and workspace hold the same history at both sizes, so any growth is the cost
of everyone else's rows, which indexes should keep logarithmic. Every distinct statement the
commands ran is then explained (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL).

    .venv/bin/python bench/bench_growth.py                      # both sizes, SQLite
    .venv/bin/python bench/bench_growth.py --smoke              # a tiny run
    .venv/bin/python bench/bench_growth.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

With --database-url, each size gets a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import event, insert, inspect, text  # noqa: E402
from sqlalchemy.engine import Connection, Engine  # noqa: E402
from sqlalchemy.engine.cursor import CursorFetchStrategy  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from bot.calibration.reports import CalibrationReports  # noqa: E402
from bot.channels.service import ChannelService  # noqa: E402
from bot.clock import Clock  # noqa: E402
from bot.progress.service import ProgressService  # noqa: E402
from bot.questions.bank import QuestionBank  # noqa: E402
from bot.questions.library import QuestionLibrary  # noqa: E402
from bot.rounds.service import RoundService  # noqa: E402
from bot.sandbox.fake_slack import FakeSlack  # noqa: E402
from bot.slack.installs import SingleWorkspace  # noqa: E402
from storage.calibration import CalibrationScore, CalibrationSession  # noqa: E402
from storage.channels import ChannelSchedule  # noqa: E402
from storage.db import make_engine, make_session_factory, migrate  # noqa: E402
from storage.rounds import Answer, Round  # noqa: E402
from storage.votes import Vote  # noqa: E402

START = date(2024, 1, 1)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TEAM, CHANNEL, USER = "T0000", "C0000000", "U0000000"  # the measured workspace, channel, person
REVEALS = 5  # open rounds in the measured channel, revealed one by one
REPEAT = 5  # each read is measured this many times; the median is reported
CHUNK = 20_000


@dataclass(frozen=True)
class Shape:
    name: str
    workspaces: int
    channels_per_workspace: int
    rounds_per_channel: int = 1000
    answers_per_round: int = 10
    votes_per_round: int = 10
    people_per_channel: int = 100
    sessions_per_workspace: int = 400
    raters_per_session: int = 6

    @property
    def channels(self) -> int:
        return self.workspaces * self.channels_per_workspace


SMALL = Shape("small", 1, 1)
LARGE = Shape("large", 10, 10)
SMOKE = (
    Shape("smoke-1", 1, 1, rounds_per_channel=30, people_per_channel=12, sessions_per_workspace=8),
    Shape("smoke-2", 2, 2, rounds_per_channel=30, people_per_channel=12, sessions_per_workspace=8),
)


class SqlMeter:
    """Sums the database's time (statements, from the cursor execute events, and fetching their
    rows) and keeps each distinct statement."""

    def __init__(self, engine: Engine) -> None:
        self.on = False
        self.seconds = 0.0
        self.statements = 0
        self.seen: dict[str, tuple[Any, ...] | dict[str, Any]] = {}
        self._local = threading.local()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        self._time_fetches()

    def _time_fetches(self) -> None:
        """SQLite produces rows while they are fetched (psycopg reads them all in `execute`):
        count the time inside the driver's fetch calls too, so both databases report the same."""
        for name in ("fetchone", "fetchmany", "fetchall"):
            original = getattr(CursorFetchStrategy, name)

            def timed(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
                if not self.on:
                    return _original(*args, **kwargs)
                began = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - began

            setattr(CursorFetchStrategy, name, timed)

    def _before(self, conn: Connection, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        self._local.started = time.perf_counter()

    def _after(self, conn: Connection, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if not self.on:
            return
        self.seconds += time.perf_counter() - self._local.started
        self.statements += 1
        self.seen.setdefault(statement, params)

    @contextmanager
    def measuring(self) -> Iterator[None]:
        self.seconds, self.statements, self.on = 0.0, 0, True
        try:
            yield
        finally:
            self.on = False


@dataclass
class Figures:
    shape: Shape
    answers: int = 0
    generated_s: float = 0.0
    sql_ms: dict[str, float] = field(default_factory=dict)
    wall_ms: dict[str, float] = field(default_factory=dict)
    statements: dict[str, int] = field(default_factory=dict)
    plans: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)
    tables: set[str] = field(default_factory=set)


# -- generating the history ----------------------------------------------------------------------


def generate(engine: Engine, shape: Shape, question_ids: list[str]) -> int:
    """Bulk-insert the shape's history; returns the number of answers."""
    rnd = random.Random(7)
    answers = 0
    round_id = answer_id = 0
    with engine.begin() as conn:
        schedules, calib_sessions, scores = [], [], []
        session_id = 0
        for w in range(shape.workspaces):
            team = f"T{w:04d}"
            for c in range(shape.channels_per_workspace):
                schedules.append(_schedule(team, _channel(w, c, shape)))
            for s in range(shape.sessions_per_workspace):
                session_id += 1
                closed = NOW - timedelta(days=2 * (shape.sessions_per_workspace - s))
                calib_sessions.append(_calibration_session(session_id, team, s, closed))
                for r in range(shape.raters_per_session):
                    scores.append(
                        {
                            "session_id": session_id,
                            "team_id": team,
                            "rater_id": f"U{w:03d}R{r:04d}",
                            "score": max(1, min(4, 2 + rnd.choice((-1, 0, 0, 1, 1, 2)))),
                            "note": "",
                            "submitted_at": closed - timedelta(hours=1),
                            "updated_at": closed - timedelta(hours=1),
                        }
                    )
        conn.execute(insert(ChannelSchedule), schedules)
        _chunked(conn, CalibrationSession, calib_sessions)
        _chunked(conn, CalibrationScore, scores)

    for w in range(shape.workspaces):
        team = f"T{w:04d}"
        for c in range(shape.channels_per_workspace):
            channel = _channel(w, c, shape)
            people = [_person(w, c, p) for p in range(shape.people_per_channel)]
            rounds, answer_rows, vote_rows = [], [], []
            for d in range(shape.rounds_per_channel):
                round_id += 1
                day = START + timedelta(days=d)
                posted = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
                last = d >= shape.rounds_per_channel - REVEALS and (team, channel) == (
                    TEAM,
                    CHANNEL,
                )
                revealed = None if last else posted + timedelta(hours=8)
                rounds.append(
                    {
                        "id": round_id,
                        "team_id": team,
                        "channel_id": channel,
                        "local_date": day,
                        "sequence": 0,
                        "question_id": question_ids[d % len(question_ids)],
                        "status": "open" if last else "revealed",
                        "kind": "daily",
                        "mode": "open",
                        "message_ts": f"{posted.timestamp():.6f}",
                        "reveal_ts": None if last else f"{revealed.timestamp():.6f}",  # type: ignore[union-attr]
                        "claimed_at": posted,
                        "posted_at": posted,
                        "reveal_at": NOW - timedelta(minutes=1) if last else revealed,
                        "revealed_at": revealed,
                    }
                )
                authors = rnd.sample(people, shape.answers_per_round)
                stamps = []
                for i, author in enumerate(authors):
                    answer_id += 1
                    ts = f"{posted.timestamp() + 60 * (i + 1):.6f}"
                    stamps.append((ts, author))
                    answer_rows.append(
                        {
                            "id": answer_id,
                            "round_id": round_id,
                            "team_id": team,
                            "channel_id": channel,
                            "ts": ts,
                            "user_id": author,
                            "text": f"answer {answer_id}",
                            "version": ts,
                            "deleted": False,
                            "received_at": posted + timedelta(minutes=i + 1),
                        }
                    )
                voted: set[tuple[str, str]] = set()
                while len(voted) < shape.votes_per_round:
                    ts, author = rnd.choice(stamps)
                    voter = rnd.choice(people)
                    if voter != author:
                        voted.add((ts, voter))
                for ts, voter in voted:
                    vote_rows.append(
                        {
                            "team_id": team,
                            "channel_id": channel,
                            "message_ts": ts,
                            "voter_id": voter,
                            "active": True,
                            "version": ts,
                            "updated_at": posted + timedelta(hours=1),
                            "emoji": "+1",
                        }
                    )
            answers += len(answer_rows)
            with engine.begin() as conn:
                _chunked(conn, Round, rounds)
                _chunked(conn, Answer, answer_rows)
                _chunked(conn, Vote, vote_rows)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
            # ids were given explicitly: move the sequences past them
            for table in ("rounds", "answers"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                    )
                )
            conn.commit()
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        with engine.connect() as conn:
            # fold the bulk load's write-ahead log into the database now, so that the first
            # measured write does not pay for checkpointing two million rows
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return answers


def _channel(w: int, c: int, shape: Shape) -> str:
    return f"C{w * shape.channels_per_workspace + c:07d}"


def _person(w: int, c: int, p: int) -> str:
    return USER if (w, c, p) == (0, 0, 0) else f"U{w:02d}{c:02d}{p:04d}"


def _schedule(team: str, channel: str) -> dict[str, Any]:
    return {
        "team_id": team,
        "channel_id": channel,
        "post_time": "09:00",
        "timezone": "UTC",
        "days": "daily",
        "reveal_after_minutes": 480,
        "vote_emoji": "+1",
        "paused": False,
        "mode": "open",
        "updated_at": NOW - timedelta(minutes=1),  # nothing due when the clock is measured
    }


def _calibration_session(session_id: int, team: str, s: int, closed: datetime) -> dict[str, Any]:
    return {
        "id": session_id,
        "team_id": team,
        "channel_id": "C0000000",
        "question_id": f"q{s % 40}",
        "category": ("coding", "system-design", "behavioral")[s % 3],
        "evidence_kind": "text",
        "evidence": "an answer to score",
        "expected_score": 1 + s % 4,
        "status": "closed",
        "started_by": "ULEAD",
        "created_at": closed - timedelta(days=1),
        "duration_minutes": 1440,
        "closes_at": closed,
        "closed_at": closed,
    }


def _chunked(conn: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(model), rows[start : start + CHUNK])


# -- measuring ---------------------------------------------------------------------------------


def measure(url: str, shape: Shape) -> Figures:
    figures = Figures(shape)
    engine = make_engine(url)
    migrate(engine)
    bank = QuestionBank.load(ROOT / "data" / "questions.yaml")
    question_ids = [q.id for q in bank.questions]
    began = time.perf_counter()
    figures.answers = generate(engine, shape, question_ids)
    figures.generated_s = time.perf_counter() - began

    sessions = make_session_factory(engine)
    meter = SqlMeter(engine)
    with FakeSlack() as fake:
        fake.add_channel(CHANNEL, "practice")
        for p in range(shape.people_per_channel):
            fake.add_user(_person(0, 0, p), f"person{p}")
        client = WebClient(token=fake.bot_token, base_url=fake.api_url)
        workspace = SingleWorkspace(client)
        library = QuestionLibrary(sessions, bank)
        progress = ProgressService(sessions, library, ChannelService(sessions), workspace)
        rounds = RoundService(sessions, library, workspace)
        reports = CalibrationReports(sessions)
        _open_rounds_in_slack(sessions, fake)

        commands = {
            "stats": lambda: progress.stats_text(TEAM, CHANNEL, USER, NOW),
            "leaderboard": lambda: progress.leaderboard_text(TEAM, CHANNEL, "all", NOW),
            "leaderboard (week)": lambda: progress.leaderboard_text(TEAM, CHANNEL, "week", NOW),
            "calibration report": lambda: reports.report(TEAM, bootstrap=0),
        }
        for name, run in commands.items():
            run()  # warm caches, as a running bot has them
            _measure(figures, meter, name, run, REPEAT)
        open_ids = _open_round_ids(sessions)
        reveal_runs = iter(open_ids)
        _measure(
            figures, meter, "reveal", lambda: rounds.reveal(next(reveal_runs), NOW), len(open_ids)
        )
        # The clock's pass every minute, with nothing due: what the history costs it.
        clock = Clock(sessions, rounds)
        _measure(figures, meter, "clock tick (idle)", lambda: clock.tick(NOW), REPEAT)
    figures.plans = _plans(engine, meter.seen)
    figures.tables = set(inspect(engine).get_table_names())
    engine.dispose()
    return figures


def _measure(figures: Figures, meter: SqlMeter, name: str, run: Any, times: int) -> None:
    sql, wall, statements = [], [], 0
    for _ in range(times):
        with meter.measuring():
            began = time.perf_counter()
            run()
            wall.append(time.perf_counter() - began)
        sql.append(meter.seconds)
        statements = meter.statements
    figures.sql_ms[name] = statistics.median(sql) * 1000
    figures.wall_ms[name] = statistics.median(wall) * 1000
    figures.statements[name] = statements


def _open_rounds_in_slack(sessions: sessionmaker[Session], fake: FakeSlack) -> None:
    """The measured channel's open rounds get their question message in the fake Slack."""
    client = WebClient(token=fake.bot_token, base_url=fake.api_url)
    with sessions.begin() as session:
        for rnd in session.query(Round).filter(Round.status == "open").all():
            rnd.message_ts = str(client.chat_postMessage(channel=CHANNEL, text="?")["ts"])


def _open_round_ids(sessions: sessionmaker[Session]) -> list[int]:
    with sessions.begin() as session:
        return [r.id for r in session.query(Round).filter(Round.status == "open").all()]


def _plans(
    engine: Engine, seen: dict[str, tuple[Any, ...] | dict[str, Any]]
) -> dict[str, list[tuple[str, list[str]]]]:
    """Each distinct SELECT (with or without a WITH) and UPDATE the commands ran, with its plan."""
    plans: dict[str, list[tuple[str, list[str]]]] = {}
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        for statement, params in seen.items():
            if not statement.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE")):
                continue
            explain = ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement
            rows = conn.exec_driver_sql(explain, params).all()
            lines = [str(row[-1]) for row in rows]
            plans.setdefault(_statement_key(statement), []).append((statement, lines))
        conn.rollback()
    return plans


# A list of bound parameters, "(?, ?, ?)" or "(%(a_1)s::VARCHAR, %(a_2)s::VARCHAR)".
_PARAMETER_LIST = re.compile(
    r"\((?:\?|%\(\w+\)s(?:::[A-Z ]+)?)(?:, (?:\?|%\(\w+\)s(?:::[A-Z ]+)?))+\)"
)


def _statement_key(statement: str) -> str:
    """The statement on one line, with IN lists of any length as one: statements that differ only
    there share a plan. (Statements opening WITH share their first 160 characters.)"""
    return _PARAMETER_LIST.sub("(…)", " ".join(statement.split()))


@contextmanager
def _database(database_url: str | None, tmp: str, name: str) -> Iterator[str]:
    if database_url is None:
        yield f"sqlite:///{tmp}/growth-{name}.db"
        return
    schema = f"bench_growth_{name.replace('-', '_')}_{int(time.time())}"
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


def yardstick_ms() -> float:
    """How fast this machine runs Python right now: the benchmarks share it with other work."""
    began, total = time.perf_counter(), 0
    for step in range(1_000_000):
        total += step
    return (time.perf_counter() - began) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL database (default: SQLite files)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that proves it works")
    parser.add_argument("--plans", action="store_true", help="print every query plan")
    parser.add_argument(
        "--sizes", nargs="+", choices=("small", "large"), default=["small", "large"]
    )
    args = parser.parse_args(argv)
    shapes = SMOKE if args.smoke else tuple(s for s in (SMALL, LARGE) if s.name in args.sizes)

    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(
        f"machine yardstick: {yardstick_ms():.0f} ms for 1M Python loop steps (~40 on an idle core)"
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes:
            with _database(args.database_url, tmp, shape.name) as url:
                figures = measure(url, shape)
            results.append(figures)
            print(
                f"{shape.name}: {shape.channels} channels, "
                f"{shape.channels * shape.rounds_per_channel} rounds, {figures.answers} answers, "
                f"{shape.channels * shape.rounds_per_channel * shape.votes_per_round} votes, "
                f"{shape.channels * shape.people_per_channel} people "
                f"(generated in {figures.generated_s:.1f}s)",
                flush=True,
            )
    names = list(results[0].sql_ms)
    print()
    print("command               " + "".join(f"  {f.shape.name:>28}" for f in results))
    print("                      " + "".join(f"  {'DB ms / wall ms / stmts':>28}" for _ in results))
    for name in names:
        cells = "".join(
            f"  {f.sql_ms[name]:>10.1f} / {f.wall_ms[name]:>7.1f} / {f.statements[name]:>3}"
            for f in results
        )
        print(f"{name:<22}{cells}")
    print()
    largest = results[-1]
    full_scans = []
    for key, variants in largest.plans.items():
        for statement, lines in variants[:1]:
            scans = [line for line in lines if _full_scan(line, largest.tables)]
            if scans:
                full_scans.append((key, scans))
            if args.plans:
                print(" ".join(statement.split()))
                for line in lines:
                    print(f"    {line}")
                print()
    print(f"statements explained: {len(largest.plans)}; with a full table scan: {len(full_scans)}")
    for key, scans in full_scans:
        print(f"  {key[:160]}\n      " + "\n      ".join(scans))
    return 0


def _full_scan(line: str, tables: set[str]) -> bool:
    """A plan line reading a whole table (not through an index). SQLite says SCAN for the rows
    of a subquery or a CTE too: those are not tables."""
    upper = line.upper()
    if upper.startswith("SCAN ") and " USING " not in upper:  # SQLite
        return line.split()[1].lower() in tables
    return "SEQ SCAN" in upper  # PostgreSQL


if __name__ == "__main__":
    sys.exit(main())
