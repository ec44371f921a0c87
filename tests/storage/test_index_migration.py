"""Migration 0007 (indexes for growing data) on SQLite, and PostgreSQL when TEST_DATABASE_URL is
set: the clock's every-minute questions find due rounds through an index instead of reading
every round ever held; a downgrade takes the indexes away and keeps the rounds."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text

from storage.db import alembic_config, make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL")
CLOCK_INDEXES = {"ix_rounds_status_reveal_at", "ix_rounds_status_reveal_ts", "ix_rounds_local_date"}
INSERT = text(
    "INSERT INTO rounds (team_id, channel_id, local_date, sequence, question_id, status, kind, "
    "mode, claimed_at, reveal_at) VALUES ('T1', 'C1', '2026-03-02', 0, 'q', 'open', 'daily', "
    "'open', :at, :at)"
)
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'indexes.db'}")
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests skipped: set TEST_DATABASE_URL to run them")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    engine = make_engine(f"{PG_URL}{sep}options=-csearch_path%3D{schema}")
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def round_indexes(engine: Engine) -> set[str]:
    return {str(ix["name"]) for ix in inspect(engine).get_indexes("rounds")}


def test_the_clock_indexes_come_with_0007_and_go_on_downgrade(empty_engine: Engine) -> None:
    cfg = alembic_config(empty_engine)
    command.upgrade(cfg, "0007")
    assert round_indexes(empty_engine) >= CLOCK_INDEXES
    with empty_engine.begin() as conn:
        conn.execute(INSERT, {"at": AT})

    command.downgrade(cfg, "0006")
    assert not CLOCK_INDEXES & round_indexes(empty_engine)
    with empty_engine.begin() as conn:
        kept = conn.execute(text("SELECT question_id FROM rounds")).scalars().all()
    command.upgrade(cfg, "head")

    assert kept == ["q"]
    assert round_indexes(empty_engine) >= CLOCK_INDEXES


def test_due_reveals_are_found_through_an_index_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM rounds WHERE status = 'open' "
                "AND reveal_at IS NOT NULL AND reveal_at <= '2026-03-02'"
            )
        )
    engine.dispose()
    assert "ix_rounds_status_reveal_at" in plan
