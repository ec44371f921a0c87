"""`python -m bot questions check [FILE]`: every problem with its line, exit 1 when any."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT


def check(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "DOTENV_PATH": "/nonexistent"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "questions", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_shipped_bank_is_valid() -> None:
    result = check()
    assert result.returncode == 0
    assert "24 questions, all valid" in result.stdout


def test_every_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    bank = tmp_path / "team.yaml"
    bank.write_text(
        "questions:\n"
        "  - id: first\n"
        "    category: Bad Category\n"
        "    question: Why?\n"
        "    rationale: Because.\n"
        "    sample_answer: So.\n"
        "  - id: first\n"
        "    category: databases\n"
        "    question: How?\n"
        "    rationale: Like this.\n"
        "    sampel_answer: Typo.\n"
    )
    result = check(str(bank))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith(f"{bank}:3:") and "Bad Category" in line for line in lines)
    assert any(f"{bank}:7:" in line and "duplicate id 'first'" in line for line in lines)
    assert any(f"{bank}:11:" in line and "unknown key 'sampel_answer'" in line for line in lines)
    assert any("missing field 'sample_answer'" in line for line in lines)


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    bank = tmp_path / "broken.yaml"
    bank.write_text("questions:\n  - id: a\n    question: [unclosed\n")
    result = check(str(bank))
    assert result.returncode == 1
    assert str(bank) in result.stdout and "Traceback" not in result.stderr


def test_one_question_and_one_problem_are_singular(tmp_path: Path) -> None:
    bank = tmp_path / "one.yaml"
    question = (
        "questions:\n"
        "  - id: only\n"
        "    category: databases\n"
        "    question: How?\n"
        "    rationale: Like this.\n"
    )
    bank.write_text(question + "    sample_answer: So.\n")
    result = check(str(bank))
    assert result.returncode == 0
    assert result.stdout.strip() == f"{bank}: 1 question, all valid (databases 1)"

    bank.write_text(question)  # no sample_answer
    result = check(str(bank))
    assert result.returncode == 1
    assert result.stderr.strip() == f"1 problem in {bank}"
