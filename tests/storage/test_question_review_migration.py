"""Migration 0005 (team question review) on SQLite, and PostgreSQL when TEST_DATABASE_URL is
set: the team questions already there stay approved, so no team loses one on upgrade; a new row
waits for an admin; the models match the schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text

from storage.db import alembic_config, make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL")
INSERT = text(
    "INSERT INTO custom_questions (team_id, question_id, category, question, rationale, "
    "sample_answer, added_by, created_at) VALUES (:team, :id, 'security', 'q?', 'r', 's', "
    "'UALICE', :at)"
)
AT = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database (no migration run yet)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'upgrade.db'}")
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


def statuses(engine: Engine) -> dict[str, tuple[str, str | None]]:
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT question_id, status, reviewed_by FROM custom_questions"))
        return {row[0]: (row[1], row[2]) for row in rows}


def test_questions_from_before_the_review_stay_approved_and_new_ones_wait(
    empty_engine: Engine,
) -> None:
    cfg = alembic_config(empty_engine)
    command.upgrade(cfg, "0004")
    with empty_engine.begin() as conn:
        conn.execute(INSERT, {"team": "T1", "id": "custom-old-one", "at": AT})
        conn.execute(INSERT, {"team": "T2", "id": "custom-old-two", "at": AT})

    command.upgrade(cfg, "0005")
    with empty_engine.begin() as conn:
        conn.execute(INSERT, {"team": "T1", "id": "custom-new-one", "at": AT})

    assert statuses(empty_engine) == {
        "custom-old-one": ("approved", None),
        "custom-old-two": ("approved", None),
        "custom-new-one": ("pending", None),
    }
    command.upgrade(cfg, "head")
    command.check(cfg)  # the models and the schema agree


def test_the_review_columns_go_on_downgrade_and_come_back(empty_engine: Engine) -> None:
    cfg = alembic_config(empty_engine)
    command.upgrade(cfg, "0005")
    with empty_engine.begin() as conn:
        conn.execute(INSERT, {"team": "T1", "id": "custom-kept", "at": AT})

    command.downgrade(cfg, "0004")
    with empty_engine.begin() as conn:
        kept = conn.execute(text("SELECT question_id FROM custom_questions")).scalars().all()
    command.upgrade(cfg, "0005")

    assert kept == ["custom-kept"]
    assert statuses(empty_engine) == {"custom-kept": ("approved", None)}
