"""Calibration sessions and their private scores; queries take a session the caller opened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UtcDateTime
from storage.db import insert_for, rows_changed
from storage.rounds import Answer, Round
from storage.states import RoundStatus, SessionStatus


class CalibrationSession(Base):
    """A panel scores one piece of evidence blind against the question's rubric."""

    __tablename__ = "calibration_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(64))
    evidence_kind: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str] = mapped_column(Text)
    specimen: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 1-based, bank order
    expected_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # a round answer's
    status: Mapped[str] = mapped_column(String(24), index=True)
    started_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)
    closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reveal_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class CalibrationScore(Base):
    """One interviewer's private score and note; changeable until the session closes."""

    __tablename__ = "calibration_scores"
    __table_args__ = (UniqueConstraint("session_id", "rater_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[str] = mapped_column(String(32))
    rater_id: Mapped[str] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


def team_session(session: Session, team_id: str, session_id: int) -> CalibrationSession | None:
    """The workspace's session with that id; None for another workspace's (a forged id)."""
    row = session.get(CalibrationSession, session_id)
    return row if row is not None and row.team_id == team_id else None


def save_score(
    session: Session,
    *,
    session_id: int,
    team_id: str,
    rater_id: str,
    score: int,
    note: str,
    now: datetime,
) -> None:
    """Insert or replace the rater's score (one per rater and session)."""
    stmt = (
        insert_for(session, CalibrationScore)
        .values(
            session_id=session_id,
            team_id=team_id,
            rater_id=rater_id,
            score=score,
            note=note,
            submitted_at=now,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=["session_id", "rater_id"],
            set_={"score": score, "note": note, "updated_at": now},
        )
    )
    session.execute(stmt)


def scores(session: Session, session_id: int) -> Sequence[CalibrationScore]:
    query = select(CalibrationScore).where(CalibrationScore.session_id == session_id)
    return session.scalars(query.order_by(CalibrationScore.submitted_at)).all()


def score_of(session: Session, session_id: int, rater_id: str) -> CalibrationScore | None:
    query = select(CalibrationScore).where(
        CalibrationScore.session_id == session_id, CalibrationScore.rater_id == rater_id
    )
    return session.scalars(query).first()


def claim_close(session: Session, session_id: int, now: datetime, closed_by: str | None) -> bool:
    """Atomically move an open session to closed; False if someone else got there first."""
    stmt = (
        update(CalibrationSession)
        .where(CalibrationSession.id == session_id, CalibrationSession.status == SessionStatus.OPEN)
        .values(status=SessionStatus.CLOSED, closed_at=now, closed_by=closed_by)
    )
    return rows_changed(session.execute(stmt)) == 1


def claim_consent(session: Session, session_id: int, allow: bool) -> bool:
    """Atomically record the author's answer; False when it was given already."""
    stmt = (
        update(CalibrationSession)
        .where(
            CalibrationSession.id == session_id,
            CalibrationSession.status == SessionStatus.AWAITING_CONSENT,
        )
        .values(status=SessionStatus.CLAIMED if allow else SessionStatus.DECLINED)
    )
    return rows_changed(session.execute(stmt)) == 1


def due_closes(session: Session, now: datetime) -> Sequence[int]:
    query = select(CalibrationSession.id).where(
        CalibrationSession.status == SessionStatus.OPEN, CalibrationSession.closes_at <= now
    )
    return session.scalars(query.order_by(CalibrationSession.closes_at)).all()


def specimen_use(session: Session, team_id: str, question_id: str) -> dict[int, int]:
    """How often each specimen of a question was used in the workspace's sessions."""
    query = select(CalibrationSession.specimen).where(
        CalibrationSession.team_id == team_id,
        CalibrationSession.question_id == question_id,
        CalibrationSession.specimen.is_not(None),
    )
    counts: dict[int, int] = {}
    for specimen in session.scalars(query):
        if specimen is not None:
            counts[specimen] = counts.get(specimen, 0) + 1
    return counts


def closed_sessions(
    session: Session, team_id: str | None, since: datetime | None = None
) -> Sequence[CalibrationSession]:
    query = select(CalibrationSession).where(CalibrationSession.status == SessionStatus.CLOSED)
    if team_id is not None:
        query = query.where(CalibrationSession.team_id == team_id)
    if since is not None:
        query = query.where(CalibrationSession.closed_at >= since)
    return session.scalars(query.order_by(CalibrationSession.closed_at)).all()


def scores_of_sessions(session: Session, session_ids: Sequence[int]) -> Sequence[CalibrationScore]:
    if not session_ids:
        return []
    query = select(CalibrationScore).where(CalibrationScore.session_id.in_(session_ids))
    return session.scalars(query.order_by(CalibrationScore.session_id)).all()


def all_sessions(session: Session, team_id: str | None = None) -> Sequence[CalibrationSession]:
    query = select(CalibrationSession)
    if team_id is not None:
        query = query.where(CalibrationSession.team_id == team_id)
    return session.scalars(query.order_by(CalibrationSession.id)).all()


def revealed_answers(
    session: Session, team_id: str, limit: int = 50
) -> Sequence[tuple[Answer, str]]:
    """The workspace's newest answers from revealed rounds, with their question id: evidence a
    manager may propose (its author is asked first)."""
    query = (
        select(Answer, Round.question_id)
        .join(Round, Answer.round_id == Round.id)
        .where(
            Answer.team_id == team_id,
            Answer.deleted.is_(False),
            Answer.text != "",
            Round.status == RoundStatus.REVEALED,
        )
        .order_by(Answer.received_at.desc())
        .limit(limit)
    )
    return [(answer, question_id) for answer, question_id in session.execute(query)]


def team_answer(session: Session, team_id: str, answer_id: int) -> tuple[Answer, str] | None:
    """One answer of the workspace from a revealed round, with its question id."""
    query = (
        select(Answer, Round.question_id)
        .join(Round, Answer.round_id == Round.id)
        .where(
            Answer.id == answer_id,
            Answer.team_id == team_id,
            Answer.deleted.is_(False),
            Round.status == RoundStatus.REVEALED,
        )
    )
    row = session.execute(query).first()
    return (row[0], row[1]) if row else None
