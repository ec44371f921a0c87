"""The question library of a workspace: the YAML bank plus the questions the team added."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.questions.bank import Question, QuestionBank
from storage import questions as question_store
from storage.questions import CustomQuestion

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LIMITS = {"question": 1000, "rationale": 3000, "sample_answer": 3000}


class QuestionInputError(ValueError):
    """A field of a new question is not acceptable; `field` names it for the modal."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewQuestion:
    category: str
    question: str
    rationale: str
    sample_answer: str


def _as_question(row: CustomQuestion) -> Question:
    return Question(
        id=row.question_id,
        category=row.category,
        question=row.question,
        rationale=row.rationale,
        sample_answer=row.sample_answer,
        difficulty=row.difficulty,
        tags=("custom",),
    )


def _slugify(text: str, words: int = 6) -> str:
    parts = re.findall(r"[a-z0-9]+", text.lower())[:words]
    return "-".join(parts) or "question"


class QuestionLibrary:
    def __init__(self, sessions: sessionmaker[Session], base: QuestionBank) -> None:
        self.sessions = sessions
        self.base = base

    def for_team(self, team_id: str) -> QuestionBank:
        """The bank this workspace draws from."""
        with self.sessions.begin() as session:
            custom = [
                _as_question(row) for row in question_store.custom_questions(session, team_id)
            ]
        if not custom:
            return self.base
        return QuestionBank([*self.base.questions, *custom])

    def mine(self, team_id: str, user_id: str) -> list[Question]:
        with self.sessions.begin() as session:
            return [
                _as_question(r) for r in question_store.custom_questions(session, team_id, user_id)
            ]

    def add(self, team_id: str, user_id: str, new: NewQuestion, now: datetime) -> Question:
        """Validate and store a team's question; its id is a readable slug, unique in the team."""
        category = new.category.strip().lower().replace(" ", "-")
        if not _SLUG.match(category):
            raise QuestionInputError(
                "category", "Use a short slug of letters, digits and dashes, e.g. `system-design`."
            )
        fields = {
            "question": new.question.strip(),
            "rationale": new.rationale.strip(),
            "sample_answer": new.sample_answer.strip(),
        }
        for name, value in fields.items():
            if not value:
                raise QuestionInputError(name, "This field is required.")
            if len(value) > LIMITS[name]:
                raise QuestionInputError(name, f"Keep it under {LIMITS[name]} characters.")
        base_id = f"custom-{_slugify(fields['question'])}"
        with self.sessions.begin() as session:
            taken = {q.id for q in self.base.questions} | {
                row.question_id for row in question_store.custom_questions(session, team_id)
            }
            question_id, n = base_id, 2
            while question_id in taken:
                question_id, n = f"{base_id}-{n}", n + 1
            row = CustomQuestion(
                team_id=team_id,
                question_id=question_id,
                category=category,
                added_by=user_id,
                created_at=now,
                **fields,
            )
            session.add(row)
            session.flush()
            return _as_question(row)
