"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_session_factory, migrate

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "data" / "questions.yaml"
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


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL: SQLite, and PostgreSQL in a schema of its own."""
    if request.param == "sqlite":
        url = _sqlite_url(tmp_path)
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
