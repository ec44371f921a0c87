"""Reaction votes on answers. A removal keeps the row inactive so late events can't revive it.

Queries only: the caller owns the session and its transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    Select,
    String,
    UniqueConstraint,
    and_,
    bindparam,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UtcDateTime
from storage.db import built_once, rows_changed
from storage.rounds import Answer


class Vote(Base):
    """A reaction vote on a message. Removal keeps the row inactive so late events can't revive it."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "message_ts", "voter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    voter_id: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[str] = mapped_column(String(32))  # event_ts of the last applied change
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # the reaction that made the vote (base name); removing it undoes the vote even after the
    # channel changed its vote emoji. None for votes stored before this was kept.
    emoji: Mapped[str | None] = mapped_column(String(64), nullable=True)


def upsert_vote(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    message_ts: str,
    voter_id: str,
    active: bool,
    version: str,
    now: datetime,
    emoji: str | None = None,
) -> None:
    """Apply a reaction change unless a newer one for the same voter and message is stored.
    `emoji` is the reaction that casts the vote; a removal passes None and keeps it."""
    session.execute(
        built_once(session, _upsert_vote),
        {
            "team_id": team_id,
            "channel_id": channel_id,
            "message_ts": message_ts,
            "voter_id": voter_id,
            "active": active,
            "version": version,
            "updated_at": now,
            "emoji": emoji,
        },
    )


def _upsert_vote(insert: Callable[[Any], Any]) -> Any:
    votes = Vote.__table__
    stmt = insert(votes)
    return stmt.on_conflict_do_update(
        index_elements=["team_id", "channel_id", "message_ts", "voter_id"],
        set_={
            "active": stmt.excluded.active,
            "version": stmt.excluded.version,
            "updated_at": stmt.excluded.updated_at,
            "emoji": func.coalesce(stmt.excluded.emoji, votes.c.emoji),
        },
        where=votes.c.version <= stmt.excluded.version,
    )


def vote_emoji_of(
    session: Session, team_id: str, channel_id: str, message_ts: str, voter_id: str
) -> str | None:
    """The reaction an active vote was cast with; None without an active vote."""
    params = {
        "team_id": team_id,
        "channel_id": channel_id,
        "message_ts": message_ts,
        "voter_id": voter_id,
    }
    return session.execute(built_once(session, _vote_emoji), params).scalar_one_or_none()


def _vote_emoji(_insert: object) -> Select[str | None]:
    return select(Vote.emoji).where(
        Vote.team_id == bindparam("team_id"),
        Vote.channel_id == bindparam("channel_id"),
        Vote.message_ts == bindparam("message_ts"),
        Vote.voter_id == bindparam("voter_id"),
        Vote.active.is_(True),
    )


def voters_by_answer(session: Session, answers: Sequence[Answer]) -> dict[str, list[str]]:
    """Active votes per answer ts, excluding the author's own reaction."""
    if not answers:
        return {}
    first = answers[0]
    authors = {a.ts: a.user_id for a in answers}
    query = (
        select(Vote.message_ts, Vote.voter_id)
        .where(
            and_(
                Vote.team_id == first.team_id,
                Vote.channel_id == first.channel_id,
                Vote.message_ts.in_(list(authors)),
                Vote.active.is_(True),
            )
        )
        .order_by(Vote.updated_at, Vote.id)
    )
    result: dict[str, list[str]] = {ts: [] for ts in authors}
    for ts, voter in session.execute(query):
        if voter != authors[ts]:
            result[ts].append(voter)
    return result


def delete_votes_on(session: Session, team_id: str, channel_id: str, message_ts: str) -> int:
    """Forget the votes on a message (it was deleted); returns how many went."""
    result = session.execute(
        delete(Vote).where(
            Vote.team_id == team_id,
            Vote.channel_id == channel_id,
            Vote.message_ts == message_ts,
        )
    )
    return rows_changed(result)
