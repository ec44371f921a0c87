"""Blind answers: given privately through a form, changeable until the reveal posts them.

Queries only: the caller owns the session and its transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UtcDateTime
from storage.db import insert_for


class BlindAnswer(Base):
    """An answer given privately (blind mode); changeable until the reveal posts it."""

    __tablename__ = "blind_answers"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


def save_blind_answer(
    session: Session, *, round_id: int, team_id: str, user_id: str, text: str, now: datetime
) -> None:
    stmt = insert_for(session, BlindAnswer).values(
        round_id=round_id,
        team_id=team_id,
        user_id=user_id,
        text=text,
        submitted_at=now,
        updated_at=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["round_id", "user_id"], set_={"text": text, "updated_at": now}
    )
    session.execute(stmt)


def blind_answers(session: Session, round_id: int) -> Sequence[BlindAnswer]:
    query = select(BlindAnswer).where(BlindAnswer.round_id == round_id)
    return session.scalars(query.order_by(BlindAnswer.submitted_at, BlindAnswer.id)).all()


def blind_answer(session: Session, round_id: int, user_id: str) -> BlindAnswer | None:
    query = select(BlindAnswer).where(
        BlindAnswer.round_id == round_id, BlindAnswer.user_id == user_id
    )
    return session.scalars(query).first()


def delete_blind_answer(session: Session, round_id: int, user_id: str) -> None:
    """The private answer goes (its posted copy was deleted in Slack)."""
    session.execute(
        delete(BlindAnswer).where(BlindAnswer.round_id == round_id, BlindAnswer.user_id == user_id)
    )
