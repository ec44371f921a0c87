"""The fixtures every test folder shares: a database (SQLite always, PostgreSQL too when
TEST_DATABASE_URL is set), the fake Slack with the sandbox's cast (`fake`), and the features' UIs
wired on the two (`uis`).

Helpers and constants live in :mod:`tests.helpers`; this module only defines fixtures."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import make_fake
from storage.db import make_engine, make_session_factory, migrate
from tests.helpers import UIs, build_uis

PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_HINT = (
    "PostgreSQL tests skipped: set TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test "
    "to run them"
)


@pytest.fixture(autouse=True)
def _no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never depend on the developer's Slack environment (Bolt reads SLACK_* itself)."""
    for name in list(os.environ):
        if name.startswith("SLACK_") or name in ("DATABASE_URL", "INTERVIEW_ADMINS"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL: SQLite, and PostgreSQL in a schema of its own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        migrate(make_engine(url))
        yield url
        return
    if not PG_URL:
        pytest.skip(PG_HINT)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A started fake Slack with the cast of :func:`bot.sandbox.process.make_fake`."""
    fake = make_fake()
    yield fake
    fake.stop()


@pytest.fixture
def uis(sessions: sessionmaker[Session], fake: FakeSlack) -> UIs:
    """The features' UIs and `/interview`, wired as `bot.app.build_bot` wires them."""
    return build_uis(sessions, fake)
