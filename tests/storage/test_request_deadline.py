"""The durable inbox's write on Slack's request path gives up within its deadline when another
transaction holds what it needs (SQLite: the write lock, which by default it would wait 30 s for;
PostgreSQL: the same event_id being inserted), so Slack gets a 503 within its 3 s instead of no
answer; the connection's defaults are back for whatever uses it next."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.rounds.inbox import Inbox
from storage.db import SQLITE_BUSY_TIMEOUT_MS, make_engine

NOW = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)
EVENT_ID = "EvCONTENDED"


def answer_event() -> dict[str, object]:
    event = {"type": "message", "channel": "C1", "user": "U1", "text": "hi", "ts": "2.0"}
    return {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": EVENT_ID,
        "event": {**event, "thread_ts": "1.0"},
    }


@contextmanager
def another_writer(database_url: str) -> Iterator[None]:
    """A transaction, left open, that holds what the inbox write needs."""
    engine = make_engine(database_url)
    conn = engine.connect()
    try:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the clock, say, writing
        else:
            conn.begin()
            conn.execute(
                text(
                    "INSERT INTO inbox_events (event_id, team_id, event_type, payload, "
                    "received_at, attempts) VALUES (:e, 'T1', 'message', '{}', :now, 0)"
                ),
                {"e": EVENT_ID, "now": NOW},
            )  # another instance receiving the same delivery, not committed yet
        yield
    finally:
        conn.rollback()
        conn.close()
        engine.dispose()


def test_a_contended_inbox_write_gives_up_within_its_deadline_and_keeps_the_defaults(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    inbox = Inbox(sessions, lambda: NOW)
    with another_writer(database_url):
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked|statement timeout"):
            inbox.receive(answer_event())
        took = time.monotonic() - started
    assert 1.0 < took < 2.5, took  # storage.db.REQUEST_DEADLINE_MS, well inside Slack's 3 s

    with sessions.begin() as session:
        if session.get_bind().dialect.name == "sqlite":
            assert session.execute(text("PRAGMA busy_timeout")).scalar_one() == (
                SQLITE_BUSY_TIMEOUT_MS
            )
        else:
            assert session.execute(text("SHOW statement_timeout")).scalar_one() == "0"
    assert inbox.receive(answer_event())  # Slack's retry is stored
