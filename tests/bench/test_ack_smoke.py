"""`bench/bench_ack.py` still runs: a second of load on the real bot and the bare Bolt app, and
a report with both, the apply check and the footprint. Times are never asserted here."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bench import run_bench


def test_the_acknowledgement_bench_runs_and_reports(tmp_path: Path) -> None:
    report_file = tmp_path / "ack.json"
    out = run_bench(  # the smoke run is SQLite only
        "bench_ack.py",
        "--json",
        str(report_file),
        BENCH_QUICK="1",
        BENCH_DATABASE_URL=None,
        TEST_DATABASE_URL=None,
    )
    assert "## acknowledgement, sqlite" in out
    [report] = json.loads(report_file.read_text())
    assert report["database"] == "sqlite"
    assert report["bare"]["responses"] > 0 and report["bot"]["responses"] > 0
    assert report["bot"]["sent_by_kind"].get("answer", 0) > 0
    # every answer and vote the bot acknowledged was applied (no time is asserted)
    assert report["applied_after_s"] is not None, out
    assert report["answers_in_db"] >= report["answers_acked_min"]
    assert report["start_to_healthy_s"] > 0 and report["idle_rss_mb"] > 0
