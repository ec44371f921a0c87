"""`bench/bench_writer.py` still runs: both ways of applying, every event applied (answers and
votes counted in the database). Times are never asserted here."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bench import run_bench


def test_the_writer_bench_runs_and_applies_every_event(tmp_path: Path) -> None:
    report_file = tmp_path / "writer.json"
    run_bench("bench_writer.py", "--json", str(report_file), BENCH_QUICK="1")
    reports = json.loads(report_file.read_text())
    assert [r["apply"] for r in reports] == ["just stored", "stored before"]
    for report in reports:  # 200 events: three answers for every vote once 30 answers exist
        assert report["answers"] + report["votes"] == report["events"] == 200
        assert report["votes"] > 0
