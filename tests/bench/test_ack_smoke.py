"""`bench/bench_ack.py` still runs: a second of load on the real bot and the bare Bolt app, and
a report with both, the apply check and the footprint. Times are never asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_acknowledgement_bench_runs_and_reports(tmp_path: Path) -> None:
    report_file = tmp_path / "ack.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.pop("BENCH_DATABASE_URL", None)
    env.pop("TEST_DATABASE_URL", None)  # the smoke run is SQLite only
    env["BENCH_QUICK"] = "1"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_ack.py"), "--json", str(report_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "## acknowledgement, sqlite" in result.stdout
    [report] = json.loads(report_file.read_text())
    assert report["database"] == "sqlite"
    assert report["bare"]["responses"] > 0 and report["bot"]["responses"] > 0
    assert report["bot"]["sent_by_kind"].get("answer", 0) > 0
    # every answer and vote the bot acknowledged was applied (no time is asserted)
    assert report["applied_after_s"] is not None, result.stdout
    assert report["answers_in_db"] >= report["answers_acked_min"]
    assert report["start_to_healthy_s"] > 0 and report["idle_rss_mb"] > 0
