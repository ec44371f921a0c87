"""Database trouble, against the real process on PostgreSQL.

Unreachable at start: one clear error and exit status 2, within seconds even when the server
never answers. Unreachable later: Slack still gets its answer within 3 s and the user a short
apology; `/healthz` says 503; an answer event is *not* acknowledged (503, so Slack delivers it
again) and nothing of it is written; when the database is back, the redelivery is applied exactly
once. "Unreachable" is a TCP forwarder between the bot and PostgreSQL that the test cuts: either
refusing connections (the server is down) or accepting them and never answering (the network
drops packets: only timeouts end the wait)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    ROOT,
    SIGNING_SECRET,
    BotProcess,
    eventually,
    free_port,
)

PG_URL = os.environ.get("TEST_DATABASE_URL")
needs_postgres = pytest.mark.skipif(
    not PG_URL, reason="set TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SLACK_DEADLINE = 3.0  # Slack gives up on a request after 3 s
APOLOGY = "can't reach my database"
COMMANDS = 12  # at once, during the outage
EVENTS = 40  # at once, alongside them


class Proxy:
    """127.0.0.1:`port` forwarded to `target`. `cut("refuse")` drops every connection and refuses
    new ones (the server is down); `cut("silent")` drops every connection and accepts new ones
    without ever answering (packets dropped); `restore()` forwards again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.mode = "forward"
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self._lock:
                self._sockets.append(client)
                if self.mode == "silent":
                    continue  # held open, never answered
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def cut(self, mode: str) -> None:
        assert mode in ("refuse", "silent")
        with self._lock:
            self.mode = mode
            sockets, self._sockets = self._sockets, []
        if mode == "refuse":
            self._stop_listening()
        for sock in sockets:
            _close(sock)

    def restore(self) -> None:
        with self._lock:
            self.mode = "forward"
            held, self._sockets = self._sockets, []
        for sock in held:  # connection attempts made while silent
            _close(sock)
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self.cut("refuse")

    def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the test server; its direct URL."""
    assert PG_URL
    name = f"bot_outage_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def proxy(database: str) -> Iterator[Proxy]:
    url = make_url(database)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield proxy
    proxy.close()


@pytest.fixture
def pg_bot(fake: FakeSlack, tmp_path: Path, database: str, proxy: Proxy) -> Iterator[BotProcess]:
    """The bot on the fresh database, through the proxy; migrated with `python -m bot migrate`."""
    through_proxy = make_url(database).set(host="127.0.0.1", port=proxy.port)
    bot = BotProcess(fake, tmp_path, DATABASE_URL=through_proxy.render_as_string(False))
    bot.cli("migrate")
    bot.start()
    yield bot
    bot.stop()


def timed_health(bot: BotProcess) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{bot.port}/healthz", timeout=10) as r:
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.monotonic() - started


def timed_command(slack: SlackDriver) -> tuple[int, float]:
    """`/interview stats` (which reads the database): HTTP status and seconds to the answer."""
    started = time.monotonic()
    response = slack.command("stats", user=ALICE, channel=CHANNEL)
    return response.status, time.monotonic() - started


def timed_event(slack: SlackDriver, event: dict[str, Any], event_id: str) -> tuple[int, float]:
    started = time.monotonic()
    response = slack.event(event, event_id=event_id)
    return response.status, time.monotonic() - started


def inbox_row(database: str, event_id: str) -> tuple[int, bool] | None:
    """(attempts, processed) of a stored event, read directly (not through the proxy)."""
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT attempts, processed_at IS NOT NULL FROM inbox_events WHERE event_id=:e"
                ),
                {"e": event_id},
            ).one_or_none()
            pending = conn.execute(
                text("SELECT count(*) FROM inbox_events WHERE processed_at IS NULL")
            ).scalar_one()
    finally:
        engine.dispose()
    assert pending == 0, f"{pending} event(s) half-done in the inbox"
    return None if row is None else (row[0], row[1])


def answers(bot: BotProcess) -> list[tuple[str, str]]:
    [rnd] = bot.export()["rounds"]
    return [(a["ts"], a["text"]) for a in rnd["answers"]]


@needs_postgres
@pytest.mark.parametrize("outage", ["refuse", "silent"])
def test_database_outage_answers_slack_in_3s_writes_nothing_and_applies_the_redelivery_once(
    pg_bot: BotProcess, fake: FakeSlack, proxy: Proxy, database: str, outage: str
) -> None:
    bot = pg_bot
    slack = SlackDriver(bot.url, SIGNING_SECRET, fake)
    assert slack.command("now", user=ADMIN, channel=CHANNEL).status == 200
    [question] = eventually(lambda: fake.messages(CHANNEL))
    before_ts, response = slack.reply(CHANNEL, question["ts"], "before the outage", user=BOB)
    assert response.status == 200
    eventually(lambda: answers(bot) == [(before_ts, "before the outage")])

    proxy.cut(outage)

    status, took = timed_health(bot)
    assert status == 503 and took < SLACK_DEADLINE, (status, took)

    # Several people at once (more than Bolt's default 5 listener threads) amid a burst of answers
    # (more than the server's 32 threads): every command is acknowledged within Slack's 3 s and
    # every person gets the apology within 3 s too; every answer gets its 503 within 3 s.
    burst = [
        slack.prepare_reply(CHANNEL, question["ts"], f"burst {i}", user=BOB) for i in range(EVENTS)
    ]
    responses_before = len(fake.calls("response_url"))
    sent_at = time.time()
    with ThreadPoolExecutor(max_workers=COMMANDS + EVENTS) as pool:
        events = [
            pool.submit(timed_event, slack, event, f"EvBURST{i}")
            for i, (_, event) in enumerate(burst)
        ]
        commands = [pool.submit(timed_command, slack) for _ in range(COMMANDS)]
        timed = [f.result() for f in commands]
        unacknowledged = [f.result() for f in events]
    assert all(status == 200 and took < SLACK_DEADLINE for status, took in timed), timed
    assert all(s == 503 and t < SLACK_DEADLINE for s, t in unacknowledged), unacknowledged
    eventually(lambda: len(fake.calls("response_url")) >= responses_before + COMMANDS, timeout=10)
    apologies = fake.calls("response_url")[responses_before:]
    assert len(apologies) == COMMANDS
    assert all(
        APOLOGY in a.args["text"] and a.args["response_type"] == "ephemeral" for a in apologies
    )
    latest = max(a.at for a in apologies) - sent_at
    assert latest < SLACK_DEADLINE, latest

    lost_ts, lost = slack.prepare_reply(CHANNEL, question["ts"], "never redelivered", user=ALICE)
    kept_ts, kept = slack.prepare_reply(CHANNEL, question["ts"], "redelivered", user=ALICE)
    for event, event_id in ((lost, "EvLOST"), (kept, "EvKEPT")):
        started = time.monotonic()
        response = slack.event(event, event_id=event_id)
        took = time.monotonic() - started
        assert response.status == 503 and took < SLACK_DEADLINE, (response.status, took)

    proxy.restore()
    eventually(lambda: timed_health(bot)[0] == 200, timeout=15)
    assert inbox_row(database, "EvLOST") is None and inbox_row(database, "EvKEPT") is None

    # Slack's retries of the event it never got a 200 for: applied once, however many arrive.
    assert slack.event(kept, event_id="EvKEPT", retry_num=1).status == 200
    eventually(lambda: (kept_ts, "redelivered") in answers(bot))
    assert slack.event(kept, event_id="EvKEPT", retry_num=2).status == 200
    assert inbox_row(database, "EvKEPT") == (1, True)
    assert answers(bot) == [(before_ts, "before the outage"), (kept_ts, "redelivered")]
    assert lost_ts not in dict(answers(bot))
    assert not {ts for ts, _ in burst} & set(dict(answers(bot)))

    responses_before = len(fake.calls("response_url"))
    assert slack.command("stats", user=ALICE, channel=CHANNEL).status == 200
    [reply] = eventually(lambda: fake.calls("response_url")[responses_before:], timeout=10)
    assert APOLOGY not in reply.args["text"]


def _start(bot: BotProcess) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=bot.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result, time.monotonic() - started


def test_refused_database_at_start_is_one_error_and_exit_2(fake: FakeSlack, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql+psycopg://postgres:s3cret@127.0.0.1:{port}/x"
    result, _ = _start(BotProcess(fake, tmp_path, DATABASE_URL=url))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: database: ") and "refused" in line, line
    assert f"127.0.0.1:{port}/x" in line and "s3cret" not in line, line


def test_silent_database_at_start_is_one_error_and_exit_2_within_seconds(
    fake: FakeSlack, tmp_path: Path
) -> None:
    """A server that takes the connection and never answers (a packet-dropping network, a hung
    server): the connect timeout ends the wait, instead of the kernel's minutes."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; nobody ever reads or answers
        port = silent.getsockname()[1]
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/x"
        result, took = _start(BotProcess(fake, tmp_path, DATABASE_URL=url))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: database: ") and "timeout" in line, line
    assert took < 10, took
