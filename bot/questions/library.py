"""The question library of a workspace: the YAML bank plus the questions the team added.

A team's question waits for an admin before it is used: only approved ones join the daily
rotation and practice draws (:meth:`QuestionLibrary.for_team`). Its author and admins can edit or
remove it; an edit by an author who is not an admin sends it back for approval. A removed
question stays stored, so rounds that used it still show it (:meth:`QuestionLibrary.find`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import flag_modified

from bot.questions.bank import Question, QuestionBank
from bot.questions.model import TeamQuestion
from storage import questions as question_store
from storage.questions import CustomQuestion
from storage.states import QuestionStatus

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LIMITS = {"question": 1000, "rationale": 3000, "sample_answer": 3000}
# the statuses a team question can be edited, removed or looked at in
LIVE = (QuestionStatus.PENDING, QuestionStatus.APPROVED, QuestionStatus.REJECTED)


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


class Refusal(StrEnum):
    """Why a change to a team question did not happen."""

    NOT_FOUND = "not_found"  # no such team question in this workspace (or it was removed)
    NOT_ALLOWED = "not_allowed"  # neither its author nor an admin
    NOT_PENDING = "not_pending"  # a review of a question that is not waiting for one
    CHANGED = "changed"  # edited (or reviewed) since the reviewer read it


@dataclass(frozen=True)
class Reviewed:
    """An admin approved or rejected a question; `question.status` says which."""

    question: TeamQuestion
    reviewer: str


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


def _as_team_question(row: CustomQuestion) -> TeamQuestion:
    return TeamQuestion(
        question=_as_question(row),
        status=QuestionStatus(row.status),
        added_by=row.added_by,
        added_at=row.created_at,
        reviewed_by=row.reviewed_by,
    )


def _slugify(text: str, words: int = 6) -> str:
    parts = re.findall(r"[a-z0-9]+", text.lower())[:words]
    return "-".join(parts) or "question"


def _checked(new: NewQuestion) -> tuple[str, dict[str, str]]:
    """The category slug and the text fields, trimmed; QuestionInputError names a bad field."""
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
    return category, fields


class QuestionLibrary:
    def __init__(self, sessions: sessionmaker[Session], base: QuestionBank) -> None:
        self.sessions = sessions
        self.base = base

    # -- what is used -----------------------------------------------------------------------

    def for_team(self, team_id: str) -> QuestionBank:
        """The bank this workspace draws from: the bank file and the approved team questions
        (the daily rotation, `/interview random`, categories, practice posts)."""
        return self._bank(team_id, (QuestionStatus.APPROVED,))

    def archive(self, team_id: str) -> QuestionBank:
        """Every question this workspace has or had, pending and removed ones too: to show and
        count the rounds that used one, never to choose one."""
        return self._bank(team_id, None)

    def find(self, team_id: str, question_id: str) -> Question | None:
        """A question a round may have used, whatever became of it since."""
        question = self.base.get(question_id)
        if question is not None:
            return question
        with self.sessions.begin() as session:
            row = question_store.custom_question(session, team_id, question_id)
            return _as_question(row) if row is not None else None

    def _bank(self, team_id: str, statuses: tuple[QuestionStatus, ...] | None) -> QuestionBank:
        with self.sessions.begin() as session:
            rows = question_store.custom_questions(session, team_id, statuses=statuses)
            custom = [_as_question(row) for row in rows if self.base.get(row.question_id) is None]
        if not custom:
            return self.base
        return QuestionBank([*self.base.questions, *custom])

    # -- the team's own questions -----------------------------------------------------------

    def team_question(self, team_id: str, question_id: str) -> TeamQuestion | None:
        """A team question that is not removed, with its status."""
        with self.sessions.begin() as session:
            row = question_store.custom_question(session, team_id, question_id)
            return _as_team_question(row) if row is not None and row.status in LIVE else None

    def mine(self, team_id: str, user_id: str) -> list[TeamQuestion]:
        """The questions `user_id` added and did not remove, oldest first."""
        with self.sessions.begin() as session:
            rows = question_store.custom_questions(session, team_id, user_id, statuses=LIVE)
            return [_as_team_question(row) for row in rows]

    def pending(self, team_id: str) -> list[TeamQuestion]:
        """The questions waiting for an admin, oldest first."""
        with self.sessions.begin() as session:
            rows = question_store.custom_questions(
                session, team_id, statuses=(QuestionStatus.PENDING,)
            )
            return [_as_team_question(row) for row in rows]

    def add(
        self, team_id: str, user_id: str, new: NewQuestion, now: datetime, *, approved: bool = False
    ) -> TeamQuestion:
        """Validate and store a team's question, pending (`approved`: an admin adds it, and so
        approves it); its id is a readable slug, unique in the team, never reused."""
        category, fields = _checked(new)
        base_id = f"custom-{_slugify(fields['question'])}"
        with self.sessions.begin() as session:
            taken = {q.id for q in self.base.questions} | question_store.question_ids(
                session, team_id
            )
            question_id, n = base_id, 2
            while question_id in taken:
                question_id, n = f"{base_id}-{n}", n + 1
            row = CustomQuestion(
                team_id=team_id,
                question_id=question_id,
                category=category,
                added_by=user_id,
                created_at=now,
                status=QuestionStatus.APPROVED if approved else QuestionStatus.PENDING,
                reviewed_by=user_id if approved else None,
                reviewed_at=now if approved else None,
                **fields,
            )
            session.add(row)
            session.flush()
            return _as_team_question(row)

    def edit(
        self,
        team_id: str,
        question_id: str,
        user_id: str,
        new: NewQuestion,
        *,
        is_admin: bool,
    ) -> TeamQuestion | Refusal:
        """Change a team question's text (its id stays: rounds refer to it). An author who is
        not an admin sends it back for approval; an admin's edit keeps its status."""
        category, fields = _checked(new)
        with self.sessions.begin() as session:
            row = question_store.custom_question(session, team_id, question_id)
            if row is None or row.status not in LIVE:
                return Refusal.NOT_FOUND
            if not (is_admin or row.added_by == user_id):
                return Refusal.NOT_ALLOWED
            row.category = category
            for name, value in fields.items():
                setattr(row, name, value)
            if not is_admin:
                # written even when it is pending already, so the UPDATE itself sets it: an
                # approval that lands meanwhile can't let this new text into the rotation
                row.status = QuestionStatus.PENDING
                flag_modified(row, "status")
            session.flush()
            return _as_team_question(row)

    def review(
        self,
        team_id: str,
        question_id: str,
        version: str,
        reviewer: str,
        now: datetime,
        *,
        approve: bool,
    ) -> Reviewed | Refusal:
        """Approve or reject a pending question, as the admin read it (`version`): if it was
        edited or reviewed since, nothing changes. The caller checked the admin's rights."""
        with self.sessions.begin() as session:
            row = question_store.custom_question(session, team_id, question_id)
            if row is None or row.status not in LIVE:
                return Refusal.NOT_FOUND
            if row.status != QuestionStatus.PENDING:
                return Refusal.NOT_PENDING
            if _as_team_question(row).version != version:
                return Refusal.CHANGED
            status = QuestionStatus.APPROVED if approve else QuestionStatus.REJECTED
            if not question_store.set_status_as_read(session, row, status, reviewer, now):
                return Refusal.CHANGED
            return Reviewed(_as_team_question(row), reviewer)

    def remove(
        self, team_id: str, question_id: str, user_id: str, now: datetime, *, is_admin: bool
    ) -> TeamQuestion | Refusal:
        """Take a team question out of the rotation and the lists, for good. Its row stays, so
        rounds that used it still show it; its id is not given out again."""
        with self.sessions.begin() as session:
            row = question_store.custom_question(session, team_id, question_id)
            if row is None or row.status not in LIVE:
                return Refusal.NOT_FOUND
            if not (is_admin or row.added_by == user_id):
                return Refusal.NOT_ALLOWED
            row.status, row.reviewed_by, row.reviewed_at = QuestionStatus.REMOVED, user_id, now
            flag_modified(row, "status")
            session.flush()
            return _as_team_question(row)
