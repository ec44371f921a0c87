"""Smoke runs of the benchmarks: each still runs and reports; times are never asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench(script: str, *args: str, **env: str | None) -> str:
    """`bench/<script> args` as a user would run it, without Slack credentials; `env` sets
    variables (None: unset). Its output, once it exits 0."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
