"""Question bank: loading, validation and selection of interview practice questions.

The bank is a YAML file with a top-level mapping holding a ``questions`` list::

    questions:
    - id: cache-invalidation
      category: system-design
      difficulty: mid            # optional
      tags: [caching, redis]     # optional
      follow_ups: [...]          # optional
      question: ...
      rationale: ...
      sample_answer: ...

:func:`check_bank` reports every problem in a bank file (with file, line and entry) without
raising; :meth:`QuestionBank.load` raises :class:`QuestionBankError` carrying all of them.
This module is pure Python + PyYAML so it can be used from scripts, tests and the bot alike.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from bot.questions.model import Question, Specimen
from bot.questions.validation import Problem, QuestionBankError, check_bank, parse_bank

__all__ = ["Problem", "Question", "QuestionBank", "QuestionBankError", "Specimen", "check_bank"]


_default_rng = random.Random()


class QuestionBank:
    """An immutable, ordered collection of questions with unique ids."""

    questions: tuple[Question, ...]

    def __init__(self, questions: Iterable[Question]) -> None:
        self.questions = tuple(questions)
        self._by_id: dict[str, Question] = {}
        for question in self.questions:
            if question.id in self._by_id:
                raise ValueError(f"duplicate question id {question.id!r}")
            self._by_id[question.id] = question

    def __len__(self) -> int:
        return len(self.questions)

    def __repr__(self) -> str:
        return f"QuestionBank({len(self.questions)} questions)"

    @classmethod
    def load(cls, path: str | Path) -> QuestionBank:
        """Load and validate a bank file.

        Raises :class:`QuestionBankError` listing all problems if the file is invalid.
        """
        questions, problems = parse_bank(path)
        if problems:
            raise QuestionBankError(problems)
        return cls(questions)

    def get(self, question_id: str) -> Question | None:
        """Return the question with ``question_id``, or ``None`` if it is not in the bank."""
        return self._by_id.get(question_id)

    def categories(self) -> dict[str, int]:
        """Return ``{category: number of questions}``, sorted by category name."""
        counts = Counter(question.category for question in self.questions)
        return dict(sorted(counts.items()))

    def pick_next(
        self,
        history: Sequence[str],
        categories: Collection[str] | None = None,
        rng: random.Random | None = None,
    ) -> Question:
        """Pick the next question for a channel without repeating within a cycle.

        ``history`` lists the ids previously used in the channel, oldest first; ids that are
        not in the bank (or not among the candidates) are ignored. Candidates are the questions
        whose category is in ``categories`` (all questions if ``None`` or empty). No candidate
        repeats until every candidate has been used: the history is split into cycles, oldest
        first (a cycle ends when it holds every candidate, or when a question repeats, e.g. one
        asked again on purpose); the pick is uniform among candidates not in the current cycle,
        and a new cycle does not start with the question just asked.

        Raises ``ValueError`` if the bank is empty or ``categories`` selects no questions.
        """
        if isinstance(categories, str):
            categories = (categories,)
        if categories:
            wanted = set(categories)
            candidates = [q for q in self.questions if q.category in wanted]
        else:
            wanted = set()
            candidates = list(self.questions)
        if not candidates:
            if not self.questions:
                raise ValueError("the question bank is empty")
            unknown = sorted(wanted - set(self.categories()))
            raise ValueError(
                f"unknown categor{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(repr(c) for c in unknown)}; "
                f"valid categories: {', '.join(self.categories())}"
            )

        candidate_ids = {q.id for q in candidates}
        used = [question_id for question_id in history if question_id in candidate_ids]
        current_cycle: set[str] = set()
        for question_id in used:  # split the history into cycles, oldest first
            if question_id in current_cycle or len(current_cycle) == len(candidates):
                current_cycle = set()
            current_cycle.add(question_id)
        if len(current_cycle) == len(candidates):  # a full cycle: start again, but not with
            current_cycle = {used[-1]} if len(candidates) > 1 else set()  # the one just asked
        available = [q for q in candidates if q.id not in current_cycle]
        return (rng or _default_rng).choice(available)
