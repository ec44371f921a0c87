"""The scale benchmarks still run: each script's `--smoke` mode (a few seconds) on SQLite, and on
PostgreSQL when TEST_DATABASE_URL is set. They must run to the end and report every figure; the
figures themselves are never asserted (benchmarks are not timed tests), except that the fan-out
posts every channel's question exactly once, which is correctness, not speed."""

from __future__ import annotations

import os
import re

import pytest

from tests.bench import run_bench

PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_args(request: pytest.FixtureRequest) -> list[str]:
    if request.param == "sqlite":
        return []
    if not PG_URL:
        pytest.skip("PostgreSQL tests skipped: set TEST_DATABASE_URL to run them")
    return ["--database-url", PG_URL]


def run_smoke(script: str, *args: str) -> str:
    return run_bench(script, "--smoke", *args)


def test_the_fanout_bench_posts_every_channel_once_and_reports(database_args: list[str]) -> None:
    out = run_smoke("bench_fanout.py", *database_args)

    rows = [line.split() for line in out.splitlines() if re.match(r"\s*\d+\s+\d+\s+[\d.]+\s", line)]
    assert [row[0] for row in rows] == ["6", "12"]  # both sizes ran
    for row in rows:
        duplicates, missing = row[4], row[5]
        assert (duplicates, missing) == ("0", "0")
    assert "exactly once: yes" in out


def test_the_growth_bench_reports_every_command_and_explains_its_queries(
    database_args: list[str],
) -> None:
    out = run_smoke("bench_growth.py", *database_args)

    for command in ("stats", "leaderboard", "calibration report", "reveal", "clock tick (idle)"):
        assert re.search(rf"^{re.escape(command)}\s+[\d.]+ /", out, re.MULTILINE), command
    explained = re.search(r"statements explained: (\d+)", out)
    assert explained is not None and int(explained.group(1)) > 0
