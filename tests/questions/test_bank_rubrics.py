"""Rubrics and specimens in the bank: every shipped question can be calibrated on, and a bad
rubric or specimen is reported with file and line, like every other bank problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.questions.bank import QuestionBank, check_bank
from bot.questions.model import RUBRIC_LEVELS
from tests.helpers import ROOT, write_bank

BANK = ROOT / "data" / "questions.yaml"

GOOD_ENTRY = """questions:
- id: sharding
  category: databases
  question: How would you shard a table?
  rationale: Trade-offs of keys.
  sample_answer: &sample By tenant, because queries stay local.
  rubric:
    1: No idea what a shard key is.
    2: Names a key but no trade-off.
    3: Picks a key from the access pattern.
    4: Also plans for hot spots and resharding.
  specimens:
  - answer: *sample
    expected_score: 4
    why: Key from the access pattern.
  - answer: By time.
    expected_score: 2
    why: Every write hits the newest shard.
"""


def test_every_shipped_question_has_an_anchored_rubric_and_specimens_of_several_levels() -> None:
    bank = QuestionBank.load(BANK)
    for question in bank.questions:
        assert [level for level, _ in question.rubric] == list(RUBRIC_LEVELS), question.id
        assert all(text.strip() for _, text in question.rubric)
        assert len(question.specimens) >= 3, question.id
        scores = {s.expected_score for s in question.specimens}
        assert len(scores) >= 2 and scores <= set(RUBRIC_LEVELS)
        # the seed's sample answer is the strong specimen, word for word
        assert question.specimens[0].answer == question.sample_answer
        assert question.specimens[0].expected_score == 4
    levels = {s.expected_score for q in bank.questions for s in q.specimens}
    assert levels == {1, 2, 3, 4}  # the bank has evidence at every level


def test_a_well_formed_rubric_and_specimens_load(tmp_path: Path) -> None:
    [question] = QuestionBank.load(write_bank(tmp_path, GOOD_ENTRY)).questions
    assert question.can_calibrate
    assert question.specimens[1].expected_score == 2


LEVEL_4 = "    4: Also plans for hot spots and resharding.\n"
SCORE_2 = "    expected_score: 2\n"
WHY = "    why: Every write hits the newest shard.\n"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (LEVEL_4, "", "exactly the four levels"),
        (LEVEL_4, LEVEL_4 + "    5: Beyond strong.\n", "exactly the four levels"),
        (SCORE_2, "    expected_score: 5\n", "expected_score must be 1, 2, 3 or 4"),
        (WHY, "    why: ''\n", "why must be a non-empty text"),
        (SCORE_2, "    expected_score: 4\n", "span at least two levels"),
    ],
    ids=["three-levels", "five-levels", "score-out-of-range", "empty-why", "one-level"],
)
def test_bad_rubrics_and_specimens_are_reported_with_file_and_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = write_bank(tmp_path, GOOD_ENTRY.replace(old, new))
    problems = check_bank(path)
    assert len(problems) == 1, problems
    [problem] = problems
    assert message in problem.message
    assert problem.line is not None and problem.file == str(path)
    assert "id 'sharding'" in (problem.entry or "")


def test_questions_check_lists_a_bad_rubric_and_fails(tmp_path: Path) -> None:
    path = write_bank(tmp_path, GOOD_ENTRY.replace("    2: Names a key but no trade-off.\n", ""))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "questions", "check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "", "PYTHONPATH": str(ROOT), "DOTENV_PATH": str(tmp_path / "none")},
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{path}:" in result.stdout and "four levels" in result.stdout
