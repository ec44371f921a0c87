"""What the benchmarks share: the real bot and a bare Bolt app against the fake Slack, requests
signed as Slack signs them, a load generator (wrk, or a Python sender when wrk is missing), and
the machine's description for docs/benchmarks.md.

The bot runs as users run it: `python -m bot` (waitress, `bot.server.SERVER_THREADS` threads)
from this checkout, through `bot.sandbox.process.BotProcess`. The baseline is `bench/bare_app.py`: a Bolt app that only
acknowledges, served by waitress with the same options, started in the same run.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bot.sandbox.fake_slack import FakeSlack  # noqa: E402
from bot.sandbox.process import SIGNING_SECRET, BotProcess, eventually, free_port  # noqa: E402

WRK = shutil.which("wrk")
LUA_SCRIPT = Path(__file__).with_name("walk.lua")


# ---------------------------------------------------------------- signed requests


@dataclass(frozen=True)
class SignedRequest:
    """One request exactly as Slack sends it: a body and its v0 signature headers."""

    kind: str  # what it is in the mix: answer, vote, random, stats, ...
    body: str
    content_type: str
    headers: dict[str, str]


def sign(body: str, content_type: str, kind: str, now: float | None = None) -> SignedRequest:
    """Sign `body` with the sandbox's signing secret and a fresh timestamp (Slack's v0 scheme:
    HMAC-SHA256 over `v0:<timestamp>:<body>`), valid for Slack's 5 minutes."""
    stamp = str(int(now if now is not None else time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature or "",
    }
    return SignedRequest(kind, body, content_type, headers)


def command_body(fake: FakeSlack, text: str, *, user: str, channel: str) -> str:
    """The form body of `/interview <text>` as Slack posts it."""
    return urlencode(
        {
            "token": "fake-verification-token",
            "team_id": fake.team_id,
            "team_domain": fake.team_domain,
            "channel_id": channel,
            "channel_name": fake.channel_name(channel) or "general",
            "user_id": user,
            "user_name": fake.user_name(user) or user,
            "command": "/interview",
            "text": text,
            "api_app_id": "A0APP",
            "is_enterprise_install": "false",
            "response_url": fake.response_url(channel=channel, user=user),
            "trigger_id": fake.new_trigger_id(),
        }
    )


# ---------------------------------------------------------------- the servers under test


class BareBolt:
    """`bench/bare_app.py`: a Bolt app that only acknowledges, on the bot's waitress options."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def start(self) -> BareBolt:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "PORT": str(self.port),
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_BOT_TOKEN": self.fake.bot_token,
            "SLACK_API_URL": self.fake.api_url,
        }
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "bare_app.py")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        eventually(lambda: _healthy(self.port, self.proc), timeout=30)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def _healthy(port: int, proc: subprocess.Popen[bytes] | None) -> bool:
    if proc is not None and proc.poll() is not None:
        raise RuntimeError(f"server exited with {proc.returncode}")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


@dataclass
class Footprint:
    start_to_healthy_s: float
    rss_mb: float


def start_bot(fake: FakeSlack, workdir: Path, database_url: str | None) -> tuple[BotProcess, float]:
    """Start `python -m bot`; returns it and the seconds from start to the first 200 on /healthz."""
    extra = {"DATABASE_URL": database_url} if database_url else {}
    bot = BotProcess(fake, workdir, **extra)
    if database_url:
        bot.cli("migrate")
    began = time.perf_counter()
    bot.start()
    return bot, time.perf_counter() - began


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def database(kind: str) -> Iterator[str | None]:
    """None for the bot's default (a fresh SQLite file), or a fresh PostgreSQL schema's URL,
    dropped afterwards. PostgreSQL comes from BENCH_DATABASE_URL or TEST_DATABASE_URL."""
    if kind == "sqlite":
        yield None
        return
    import uuid

    from sqlalchemy import create_engine, text

    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        raise SystemExit("PostgreSQL: set BENCH_DATABASE_URL (or TEST_DATABASE_URL)")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def count_rows(db_url: str, sql: str) -> int:
    """One number from the bot's database, read beside the running bot."""
    if db_url.startswith("sqlite:///"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=30) as conn:
            return int(conn.execute(sql).fetchone()[0])
    from sqlalchemy import create_engine, text

    engine = _engines.get(db_url) or create_engine(db_url)
    _engines[db_url] = engine
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


_engines: dict[str, Any] = {}


# ---------------------------------------------------------------- load generation


@dataclass
class LoadResult:
    tool: str
    seconds: float
    sent: int  # requests written
    responses: int
    non2xx: int
    errors: int  # connect/read/write errors and timeouts
    p50_ms: float
    p99_ms: float
    sent_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.responses / self.seconds if self.seconds else 0.0


def drive(
    url: str, requests: list[SignedRequest], *, seconds: float, connections: int, threads: int = 2
) -> LoadResult:
    """Send `requests` in order (each once) for `seconds` over `connections` keep-alive
    connections: wrk when installed, else a Python sender."""
    if WRK:
        return _drive_wrk(url, requests, seconds=seconds, connections=connections, threads=threads)
    return _drive_python(url, requests, seconds=seconds, connections=connections)


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _drive_wrk(
    url: str, requests: list[SignedRequest], *, seconds: float, connections: int, threads: int
) -> LoadResult:
    assert WRK is not None
    path = urlsplit(url).path
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        # One file per wrk thread: thread t walks requests t, t+threads, t+2*threads, ...
        for t in range(threads):
            with open(Path(tmp) / f"requests_{t}.lua", "w") as out:
                out.write("return {\n")
                for req in requests[t::threads]:
                    headers = ", ".join(
                        f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in req.headers.items()
                    )
                    out.write(f"{{{_lua_string(path)}, {{{headers}}}, {_lua_string(req.body)}}},\n")
                out.write("}\n")
        env = {**os.environ, "BENCH_REQUESTS_DIR": tmp}
        cmd = [
            WRK,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA_SCRIPT),
            url,
        ]
        stdout = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    marker = "BENCH_JSON "
    report = json.loads(stdout[stdout.index(marker) + len(marker) :].splitlines()[0])
    sent_per_thread = report["sent"]
    sent_by_kind: dict[str, int] = {}
    for t, sent in enumerate(sent_per_thread):
        for req in requests[t::threads][:sent]:
            sent_by_kind[req.kind] = sent_by_kind.get(req.kind, 0) + 1
    if report["wrapped"]:
        print(f"warning: wrk ran out of unique requests ({report['wrapped']} repeated)")
    return LoadResult(
        tool="wrk",
        seconds=report["seconds"],
        sent=sum(sent_per_thread),
        responses=report["requests"],
        non2xx=report["non2xx"],
        errors=report["errors"],
        p50_ms=report["p50_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        sent_by_kind=sent_by_kind,
    )


def _drive_python(
    url: str, requests: list[SignedRequest], *, seconds: float, connections: int
) -> LoadResult:
    """The fallback sender: `connections` threads, one keep-alive connection each."""
    parts = urlsplit(url)
    lock = threading.Lock()
    cursor = iter(range(len(requests)))
    latencies: list[float] = []
    state = {"sent": 0, "non2xx": 0, "errors": 0}
    sent_by_kind: dict[str, int] = {}
    deadline = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        while time.monotonic() < deadline:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            req = requests[index]
            with lock:
                state["sent"] += 1
                sent_by_kind[req.kind] = sent_by_kind.get(req.kind, 0) + 1
            began = time.perf_counter()
            try:
                conn.request("POST", parts.path, body=req.body.encode(), headers=req.headers)
                resp = conn.getresponse()
                resp.read()
            except OSError:
                with lock:
                    state["errors"] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
                continue
            with lock:
                latencies.append(time.perf_counter() - began)
                if not 200 <= resp.status < 300:
                    state["non2xx"] += 1
        conn.close()

    began = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    ms = sorted(x * 1000 for x in latencies) or [0.0]
    return LoadResult(
        tool="python",
        seconds=elapsed,
        sent=state["sent"],
        responses=len(latencies),
        non2xx=state["non2xx"],
        errors=state["errors"],
        p50_ms=ms[len(ms) // 2],
        p99_ms=ms[min(len(ms) - 1, int(len(ms) * 0.99))],
        sent_by_kind=sent_by_kind,
    )


# ---------------------------------------------------------------- the machine


def machine() -> dict[str, str]:
    """What docs/benchmarks.md records about where the numbers come from."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info = {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": "yes" if WRK else "no (Python sender)",
    }
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if base:
        try:
            from sqlalchemy import create_engine, text

            engine = create_engine(base)
            with engine.connect() as conn:
                info["postgresql"] = str(conn.execute(text("SHOW server_version")).scalar_one())
            engine.dispose()
        except Exception as exc:  # the section still prints without it
            info["postgresql"] = f"unreachable ({type(exc).__name__})"
    return info
