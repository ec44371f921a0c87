"""Engine and session factory. SQLite gets WAL and a busy timeout; PostgreSQL gets a connect
timeout and TCP keepalives, so a database that went away is noticed in seconds, not minutes.

Slack waits 3 s for an answer and the durable inbox writes before answering: `request_deadline`
bounds that write (a lock wait on SQLite, a statement on PostgreSQL) well below those 3 s."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

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
    """Create an engine; SQLite connections get WAL with synchronous=NORMAL, a busy timeout and
    foreign keys (and `write_lock` transactions BEGIN IMMEDIATE); PostgreSQL
    connections a connect timeout and keepalives (unless the URL sets its own)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives a killed process (only power loss can drop the last
            # commits) and spares an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        writers = threading.Lock()  # this process's SQLite writers, one at a time

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            options = conn.get_execution_options()
            deadline = options.get(_DEADLINE_MS)
            if deadline is not None:
                conn.connection.info[_SHORT_WAIT] = True  # restored when checked in
                conn.exec_driver_sql(f"PRAGMA busy_timeout={int(deadline)}")
            if not options.get(_WRITE_LOCK):
                return  # pysqlite's deferred BEGIN, at the first write
            # SQLite's busy handler sleeps ever longer between tries, so threads contending for
            # the lock wait far longer than it is held; a lock in the process hands it over at
            # once. BEGIN IMMEDIATE then only waits for other processes (the CLI, say).
            wait = deadline / 1000 if deadline is not None else SQLITE_BUSY_TIMEOUT_MS / 1000
            if not writers.acquire(timeout=wait):
                raise OperationalError(
                    "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
                )
            conn.connection.info[_HOLDS_WRITERS] = writers
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release_writers(conn.connection.info)
                raise

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _sqlite_end(conn: Any) -> None:
            _release_writers(conn.connection.info)

        @event.listens_for(engine, "checkin")
        def _restore_busy_timeout(dbapi_conn: Any, record: Any) -> None:
            _release_writers(record.info)
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
_DEADLINE_MS = "bot_deadline_ms"
_WRITE_LOCK = "bot_write_lock"
_HOLDS_WRITERS = "bot_holds_writers"


def _release_writers(info: dict[str, Any]) -> None:
    writers = info.pop(_HOLDS_WRITERS, None)
    if writers is not None:
        writers.release()


def write_lock(session: Session) -> None:
    """Begin the session's transaction, which must not have started yet, holding SQLite's write
    lock from the start (BEGIN IMMEDIATE), for a transaction that reads and then writes: it
    waits for other writers once, at BEGIN, and can never fail half-way for want of the lock.
    PostgreSQL locks rows as it goes and needs nothing."""
    session.connection(execution_options={_WRITE_LOCK: True})


@contextmanager
def request_deadline(session: Session, ms: int = REQUEST_DEADLINE_MS) -> Iterator[None]:
    """For the session's transaction, which must not have started yet: give up on a lock or a
    statement after `ms` (SQLite's busy timeout, also while BEGIN waits for the write lock;
    PostgreSQL's statement_timeout) rather than keep Slack waiting; the error propagates and the
    transaction rolls back. The engine's defaults come back when the transaction ends."""
    conn = session.connection(execution_options={_DEADLINE_MS: int(ms), _WRITE_LOCK: True})
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(ms)}")
    yield


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # alembic is imported only to migrate: start-up time

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def is_up_to_date(engine: Engine) -> bool:
    """Whether the database is at the newest revision. Reads the revision ids from the
    migration files rather than loading alembic, which would add most of a second to every
    start (the chain is linear: the head is the one revision no other revises)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text()
        revision = _REVISION.search(source)
        if revision:
            revisions.add(revision.group(1))
        down = _DOWN_REVISION.search(source)
        if down:
            revised.add(down.group(1))
    heads = revisions - revised
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        current = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return len(heads) == 1 and current == heads


_REVISION = re.compile(r'^revision\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)
_DOWN_REVISION = re.compile(r'^down_revision\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)


def insert_for(session: Session, table: Any) -> Any:
    """The dialect's INSERT (with ON CONFLICT support) for the session's database."""
    return _dialect_insert(session.get_bind().dialect.name)(table)


_Statement = TypeVar("_Statement")
_BUILT: dict[tuple[str, Callable[..., Any]], Any] = {}


def built_once(session: Session, build: Callable[[Callable[[Any], Any]], _Statement]) -> _Statement:
    """`build(insert)` for the session's database, built on first use and then reused: the
    dialect's INSERT is passed in for upserts. For statements on the hot paths (the inbox's
    writer runs them for every event): building a statement and computing its cache key costs
    SQLAlchemy several times what running it costs SQLite. Values go in as bound parameters at
    execution (`bindparam`, or the parameters of an INSERT)."""
    name = session.get_bind().dialect.name
    key = (name, build)
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT.setdefault(key, build(_dialect_insert(name)))
    return cast(_Statement, statement)


def _dialect_insert(name: str) -> Callable[[Any], Any]:
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql  # imported on first use: start-up time

        return postgresql.insert
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert
    raise RuntimeError(f"unsupported database dialect {name!r}; use SQLite or PostgreSQL")


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (a DML statement's result is a cursor result)."""
    return cast(CursorResult[Any], result).rowcount
