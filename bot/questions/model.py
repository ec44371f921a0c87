"""What a question is: its text, what the interviewer looks for, a sample answer, and (for
calibration) an anchored rubric and specimen answers with the score their author intends; and
a team's own question with where its review stands."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from storage.states import QuestionStatus

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


@dataclass(frozen=True)
class TeamQuestion:
    """A question a team added, and where it stands: `status` is pending until an admin approves
    it; only approved ones are in the daily rotation and drawn for practice."""

    question: Question
    status: QuestionStatus
    added_by: str
    added_at: datetime
    reviewed_by: str | None = None

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def version(self) -> str:
        """Names the text as it is now: a review applies to the version the admin read."""
        return version_of(self.question)


def version_of(question: Question) -> str:
    """A short digest of what a reviewer reads: category, question, rationale, sample answer."""
    parts = (question.category, question.question, question.rationale, question.sample_answer)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:12]
