"""A PostgreSQL server that takes connections and never answers (a packet-dropping network, a
hung server) costs a connection attempt 2 s, not the kernel's minutes; and once one attempt has
failed, only one at a time waits for it: the others fail at once, so they hold no thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from storage.db import PG_CONNECT_TIMEOUT_S, make_engine


@pytest.fixture
def silent_engine() -> Iterator[Engine]:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # the kernel completes handshakes; nobody ever answers
        engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/x")
        yield engine
        engine.dispose()


def attempt(engine: Engine) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(OperationalError) as failure, engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return str(failure.value.orig), time.monotonic() - started


def test_a_silent_server_fails_a_connection_in_the_timeout_and_then_one_attempt_waits_at_a_time(
    silent_engine: Engine,
) -> None:
    error, took = attempt(silent_engine)
    assert "timeout" in error and PG_CONNECT_TIMEOUT_S - 0.5 < took < PG_CONNECT_TIMEOUT_S + 1.5

    probe: list[tuple[str, float]] = []
    waiting = threading.Thread(target=lambda: probe.append(attempt(silent_engine)))
    waiting.start()
    time.sleep(0.3)  # the probe is waiting for the server
    others = [attempt(silent_engine) for _ in range(5)]
    waiting.join()

    assert all("another connection attempt" in e and t < 0.3 for e, t in others), others
    [(error, took)] = probe
    assert "timeout" in error and took > PG_CONNECT_TIMEOUT_S - 0.5
    error, took = attempt(silent_engine)  # the probe is over: the next attempt is the new probe
    assert "timeout" in error and took > PG_CONNECT_TIMEOUT_S - 0.5
