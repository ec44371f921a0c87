"""Questions a team added with `/interview add`, and their review by an admin.

Queries only: the caller owns the session and its transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UtcDateTime
from storage.db import rows_changed
from storage.states import QuestionStatus


class CustomQuestion(Base):
    """A question a team added with `/interview add`. Once an admin approved it, it is used like
    the bank's questions in that workspace; a removed one stays, so past rounds still show it."""

    __tablename__ = "custom_questions"
    __table_args__ = (UniqueConstraint("team_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    sample_answer: Mapped[str] = mapped_column(Text)
    difficulty: Mapped[str | None] = mapped_column(String(16), nullable=True)
    added_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # a QuestionStatus; a new question waits for an admin (migration 0005 approved the rows
    # that were there before the review existed)
    status: Mapped[str] = mapped_column(
        String(16), default=QuestionStatus.PENDING, server_default=QuestionStatus.PENDING.value
    )
    # who last approved, rejected or removed it, and when
    reviewed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


def custom_questions(
    session: Session,
    team_id: str,
    added_by: str | None = None,
    statuses: Collection[QuestionStatus] | None = None,
) -> Sequence[CustomQuestion]:
    """A team's questions, oldest first; only `added_by`'s and only in `statuses` when given."""
    query = select(CustomQuestion).where(CustomQuestion.team_id == team_id)
    if added_by is not None:
        query = query.where(CustomQuestion.added_by == added_by)
    if statuses is not None:
        query = query.where(CustomQuestion.status.in_([str(s) for s in statuses]))
    return session.scalars(query.order_by(CustomQuestion.id)).all()


def custom_question(
    session: Session, team_id: str, question_id: str, *, for_update: bool = False
) -> CustomQuestion | None:
    """One of a team's questions by its id (any status); `for_update` locks the row until the
    transaction ends (PostgreSQL), so two reviews of one question can't both apply."""
    query = select(CustomQuestion).where(
        CustomQuestion.team_id == team_id, CustomQuestion.question_id == question_id
    )
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def author(session: Session, team_id: str, question_id: str) -> str | None:
    """Who added a team question; None for the bank's questions and once they were forgotten."""
    query = select(CustomQuestion.added_by).where(
        CustomQuestion.team_id == team_id, CustomQuestion.question_id == question_id
    )
    return session.scalars(query).one_or_none() or None


def question_ids(session: Session, team_id: str) -> set[str]:
    """Every id a team's questions took, removed ones too (an id is never given out twice)."""
    query = select(CustomQuestion.question_id).where(CustomQuestion.team_id == team_id)
    return set(session.scalars(query))


def set_status_as_read(
    session: Session, row: CustomQuestion, status: QuestionStatus, by: str, at: datetime
) -> bool:
    """Give `row` a new status only if its status and text are still what was read (no edit or
    other review came in between); False otherwise, and nothing changes."""
    result = session.execute(
        update(CustomQuestion)
        .where(
            CustomQuestion.id == row.id,
            CustomQuestion.status == row.status,
            CustomQuestion.category == row.category,
            CustomQuestion.question == row.question,
            CustomQuestion.rationale == row.rationale,
            CustomQuestion.sample_answer == row.sample_answer,
        )
        .values(status=status, reviewed_by=by, reviewed_at=at)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        return False
    session.refresh(row)
    return True
