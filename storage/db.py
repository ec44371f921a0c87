"""Engine and session factory. SQLite gets WAL and a busy timeout; PostgreSQL gets a connect
timeout and TCP keepalives, so a database that went away is noticed in seconds, not minutes.

Slack waits 3 s for an answer and the durable inbox writes before answering: `request_deadline`
bounds that write (a lock wait on SQLite, a statement on PostgreSQL) well below those 3 s."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CursorResult, Engine, Result, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# SQLite: how long a writer waits for another writer's lock (the clock, a listener) by default.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# PostgreSQL: a server that does not answer a connection attempt within this is unreachable.
PG_CONNECT_TIMEOUT_S = 2
# What a write on Slack's request path may wait (under Slack's 3 s, with room for the rest).
REQUEST_DEADLINE_MS = 1_500
_PG_DEFAULTS: dict[str, Any] = {
    "connect_timeout": PG_CONNECT_TIMEOUT_S,
    # A pooled connection whose server vanished without a word (a network partition) fails
    # within 10 s when a query is waiting, 45 s when idle, instead of after the kernel's
    # 15 minutes of retransmissions.
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite connections get WAL, a busy timeout and foreign keys, PostgreSQL
    connections a connect timeout and keepalives (unless the URL sets its own)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "checkin")
        def _restore_busy_timeout(dbapi_conn: Any, record: Any) -> None:
            if record.info.pop(_SHORT_WAIT, False) and dbapi_conn is not None:
                dbapi_conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

        return engine
    in_url = set(make_url(url).query)
    connect_args = {k: v for k, v in _PG_DEFAULTS.items() if k not in in_url}
    connect_args.update(kwargs.pop("connect_args", {}))
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    event.listen(engine, "do_connect", OneProbeAtATime().connect)
    return engine


class OneProbeAtATime:
    """Once a connection attempt has failed, only one attempt at a time waits for the database
    (up to the connect timeout); the others fail at once. Without this, every request during an
    outage would hold a server thread for the whole timeout, and a burst of Slack events would
    queue a slash command past Slack's 3 s. The first attempt that succeeds ends the outage; an
    attempt still waiting after `stale_after` seconds (no connect timeout) no longer blocks."""

    def __init__(self, stale_after: float = 30.0) -> None:
        self.stale_after = stale_after
        self._lock = threading.Lock()
        self._down = False
        self._probe_since: float | None = None  # the attempt in flight during an outage

    def connect(self, dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            since = self._probe_since
            if self._down and since is not None and now - since < self.stale_after:
                raise dialect.loaded_dbapi.OperationalError(
                    "database unreachable (another connection attempt is waiting for it)"
                )
            probe = self._down
            if probe:
                self._probe_since = now
        try:
            connection = dialect.connect(*cargs, **cparams)
        except Exception:
            self._done(probe, down=True)
            raise
        self._done(probe, down=False)
        return connection

    def _done(self, probe: bool, *, down: bool) -> None:
        with self._lock:
            self._down = down
            if probe:
                self._probe_since = None


_SHORT_WAIT = "bot_short_busy_timeout"


@contextmanager
def request_deadline(session: Session, ms: int = REQUEST_DEADLINE_MS) -> Iterator[None]:
    """Within the session's transaction, give up on a lock or a statement after `ms`
    (SQLite's busy timeout, PostgreSQL's statement_timeout) rather than keep Slack waiting;
    the error propagates and the transaction rolls back. The engine's defaults come back when
    the transaction ends."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        conn.connection.info[_SHORT_WAIT] = True  # restored when the connection is checked in
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(ms)}")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(ms)}")
    yield


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision."""
    command.upgrade(alembic_config(engine), "head")


def is_up_to_date(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


def insert_for(session: Session, table: Any) -> Any:
    """The dialect's INSERT (with ON CONFLICT support) for the session's database."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {name!r}; use SQLite or PostgreSQL")


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (a DML statement's result is a cursor result)."""
    return cast(CursorResult[Any], result).rowcount
