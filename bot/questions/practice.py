"""Practice on demand: choosing questions by category and difficulty, finding one by id."""

from __future__ import annotations

import difflib
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.questions.bank import Question, QuestionBank


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The most similar choice, for "did you mean ...?"."""
    matches = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.5)
    return matches[0] if matches else None


def difficulties(bank: QuestionBank) -> dict[str, int]:
    counts = Counter(q.difficulty for q in bank.questions if q.difficulty)
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Filters:
    categories: tuple[str, ...] = ()
    difficulties: tuple[str, ...] = ()


class FilterError(ValueError):
    """A filter word that is neither a category nor a difficulty; the message lists choices."""


def parse_filters(words: Sequence[str], bank: QuestionBank) -> Filters:
    """Words like `system-design senior` -> Filters; unknown words raise FilterError."""
    categories, levels = bank.categories(), difficulties(bank)
    chosen_categories: list[str] = []
    chosen_levels: list[str] = []
    for raw in words:
        word = raw.lower().strip("`")
        if word in categories:
            chosen_categories.append(word)
        elif word in levels:
            chosen_levels.append(word)
        else:
            guess = closest(word, [*categories, *levels])
            hint = f" Did you mean `{guess}`?" if guess else ""
            valid = ", ".join(f"`{c}`" for c in categories)
            extra = (", or a difficulty: " + ", ".join(f"`{d}`" for d in levels)) if levels else ""
            shown = word if len(word) <= 40 else word[:40] + "…"
            raise FilterError(
                f"There's no category `{_plain(shown)}`.{hint} Choose a category: {valid}{extra}."
            )
    return Filters(tuple(dict.fromkeys(chosen_categories)), tuple(dict.fromkeys(chosen_levels)))


def apply_filters(bank: QuestionBank, filters: Filters) -> QuestionBank:
    """The part of the bank the filters select; FilterError if nothing matches."""
    selected = [
        q
        for q in bank.questions
        if (not filters.categories or q.category in filters.categories)
        and (not filters.difficulties or q.difficulty in filters.difficulties)
    ]
    if not selected:
        raise FilterError("No question matches all of those filters; try fewer of them.")
    return QuestionBank(selected)


def random_question(bank: QuestionBank, rng: random.Random | None = None) -> Question:
    return (rng or random).choice(bank.questions)


def find_question(bank: QuestionBank, question_id: str) -> Question:
    """The question with that id; FilterError naming the closest ids otherwise."""
    question = bank.get(question_id.strip("`").lower())
    if question is not None:
        return question
    ids = [q.id for q in bank.questions]
    guess = closest(question_id, ids)
    hint = f" Did you mean `{guess}`?" if guess else ""
    shown = question_id if len(question_id) <= 40 else question_id[:40] + "…"
    listed = ", ".join(f"`{i}`" for i in ids[:30]) + (" …" if len(ids) > 30 else "")
    raise FilterError(f"There's no question `{_plain(shown)}`.{hint} Question ids: {listed}")


def _plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")
