"""What a question is: its text, what the interviewer looks for, a sample answer, and (for
calibration) an anchored rubric and specimen answers with the score their author intends."""

from __future__ import annotations

from dataclasses import dataclass

# The four anchored levels every rubric uses, lowest first.
RUBRIC_LEVELS: dict[int, str] = {1: "Strong no", 2: "No", 3: "Yes", 4: "Strong yes"}


@dataclass(frozen=True)
class Specimen:
    """A candidate-style answer to score, with the score its author intends and why."""

    answer: str
    expected_score: int
    why: str


@dataclass(frozen=True)
class Question:
    """One interview question with its rationale and a sample answer."""

    id: str
    category: str
    question: str
    rationale: str
    sample_answer: str
    tags: tuple[str, ...] = ()
    difficulty: str | None = None
    follow_ups: tuple[str, ...] = ()
    # level (1-4) -> what an answer at that level shows; empty: the question has no rubric
    rubric: tuple[tuple[int, str], ...] = ()
    specimens: tuple[Specimen, ...] = ()

    @property
    def can_calibrate(self) -> bool:
        return len(self.rubric) == len(RUBRIC_LEVELS)
