"""The offline demo: a newcomer's first run shows a full round, from their own bank if they like."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env={**base, "DOTENV_PATH": str(tmp_path / "none.env"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_plays_a_day_from_a_custom_bank(tmp_path: Path) -> None:
    bank = tmp_path / "ours.yaml"
    bank.write_text(
        "questions:\n"
        "  - id: our-question\n    category: system-design\n"
        "    question: How would you shard our <events> table?\n"
        "    rationale: We look for partition keys & hot spots.\n"
        "    sample_answer: Shard by tenant id, watch for hot tenants.\n"
    )
    result = run(["demo", "--speed", "0", "--questions", str(bank)], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "INTERVIEW QUESTION OF THE DAY" in out
    assert "How would you shard our <events> table?" in out  # escapes rendered back
    assert "dave (edited)" in out
    assert "We look for partition keys & hot spots." in out
    assert "Shard by tenant id, watch for hot tenants." in out
    assert "4 people answered: @alice, @bob, @dave, @carol" in out
    assert re.search(r"Top-voted answer · 2 👍 votes\s+@alice", out)
    assert "(CLOSED)" in out
    assert "Rounds answered: 1" in out and "Votes received: 2" in out
    assert "🥇 @alice — 3 (1 round, 2 votes)" in out

    db = re.search(r"SQLite file (\S+\.db)", out).group(1)
    exported = run(["export"], tmp_path, DATABASE_URL=f"sqlite:///{db}")
    [rnd] = json.loads(exported.stdout)["rounds"]
    assert rnd["question_id"] == "our-question" and rnd["revealed_at"]
    by_user = {a["user"]: a for a in rnd["answers"]}
    assert set(by_user) == {"UALICE", "UBOB", "UCAROL", "UDAVE"}
    assert sorted(by_user["UALICE"]["votes"]) == ["UBOB", "UCAROL"]
    assert by_user["UBOB"]["votes"] == []  # his own reaction is not a vote
    assert by_user["UDAVE"]["text"].endswith("what I'd do differently.")


def test_run_without_credentials_falls_back_to_the_demo(tmp_path: Path) -> None:
    result = run(["run"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0].startswith("No Slack credentials in .env")
    assert "THE REVEAL" in result.stdout


def test_demo_rejects_a_broken_bank_with_its_problems(tmp_path: Path) -> None:
    bank = tmp_path / "broken.yaml"
    bank.write_text("questions:\n  - id: x\n    category: databases\n")
    result = run(["demo", "--questions", str(bank)], tmp_path)
    assert result.returncode == 2
    assert "broken.yaml" in result.stderr and "question" in result.stderr
    assert "Traceback" not in result.stderr
