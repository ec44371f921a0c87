"""Questions a team added with `/interview add`.

Queries only: the caller owns the session and its transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UtcDateTime


class CustomQuestion(Base):
    """A question a team added with `/interview add`; used like bank questions in that workspace."""

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


def custom_questions(
    session: Session, team_id: str, added_by: str | None = None
) -> Sequence[CustomQuestion]:
    query = select(CustomQuestion).where(CustomQuestion.team_id == team_id)
    if added_by is not None:
        query = query.where(CustomQuestion.added_by == added_by)
    return session.scalars(query.order_by(CustomQuestion.id)).all()
