"""`bench/bench_writer.py` still runs: both ways of applying, every event applied (answers and
votes counted in the database). Times are never asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_writer_bench_runs_and_applies_every_event(tmp_path: Path) -> None:
    report_file = tmp_path / "writer.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["BENCH_QUICK"] = "1"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_writer.py"), "--json", str(report_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    reports = json.loads(report_file.read_text())
    assert [r["apply"] for r in reports] == ["just stored", "stored before"]
    for report in reports:  # 200 events: three answers for every vote once 30 answers exist
        assert report["answers"] + report["votes"] == report["events"] == 200
        assert report["votes"] > 0
