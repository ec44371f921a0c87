"""Channel schedules: a channel's daily question, local time, answer window and settings.

Queries only: the caller owns the session and its transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, Select, String, Text, bindparam, select, true
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UtcDateTime
from storage.db import built_once
from storage.states import DEFAULT_VOTE_EMOJI, AnswerMode

DEFAULT_TIMEZONE = "UTC"


class ChannelSchedule(Base):
    """A channel subscribed to the daily question, with its local time and answer window."""

    __tablename__ = "channel_schedules"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # "HH:MM" local; None for a channel with settings (mode, reminder) but no daily question
    post_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    days: Mapped[str] = mapped_column(String(16), default="weekdays")  # weekdays | daily
    reveal_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    reveal_after_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    holidays: Mapped[str | None] = mapped_column(String(16), nullable=True)  # "DE-BY"
    categories: Mapped[str | None] = mapped_column(Text, nullable=True)  # comma-separated
    vote_emoji: Mapped[str] = mapped_column(String(64), default=DEFAULT_VOTE_EMOJI)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # why the bot paused the channel itself (a Slack error such as not_in_channel); None when
    # a person paused it or it runs
    paused_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # an AnswerMode
    mode: Mapped[str] = mapped_column(
        String(8), default=AnswerMode.OPEN, server_default=AnswerMode.OPEN.value
    )
    remind_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # False: `/interview leaderboard` and `stats @someone` stay private to each person
    leaderboard_public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


def get_schedule(session: Session, team_id: str, channel_id: str) -> ChannelSchedule | None:
    return session.get(ChannelSchedule, (team_id, channel_id))


def vote_emoji(session: Session, team_id: str, channel_id: str) -> str:
    """The reaction that votes in the channel (the default for a channel without settings)."""
    return _setting(session, _vote_emoji, team_id, channel_id) or DEFAULT_VOTE_EMOJI


def timezone(session: Session, team_id: str, channel_id: str) -> str:
    """The channel's time zone; UTC when it has none."""
    return _setting(session, _timezone, team_id, channel_id) or DEFAULT_TIMEZONE


def _setting(
    session: Session, build: Callable[[object], Select[Any]], team_id: str, channel_id: str
) -> Any:
    """One column of the channel's settings, None without settings: a statement built once, as
    these are read for every event the inbox applies and every stats request."""
    params = {"team_id": team_id, "channel_id": channel_id}
    return session.execute(built_once(session, build), params).scalar_one_or_none()


def _of_channel(column: Any) -> Select[Any]:
    return select(column).where(
        ChannelSchedule.team_id == bindparam("team_id"),
        ChannelSchedule.channel_id == bindparam("channel_id"),
    )


def _vote_emoji(_insert: object) -> Select[Any]:
    return _of_channel(ChannelSchedule.vote_emoji)


def _timezone(_insert: object) -> Select[Any]:
    return _of_channel(ChannelSchedule.timezone)


def save_schedule(
    session: Session, team_id: str, channel_id: str, **fields: Any
) -> ChannelSchedule:
    row = get_schedule(session, team_id, channel_id)
    if row is None:
        row = ChannelSchedule(team_id=team_id, channel_id=channel_id, **fields)
        session.add(row)
    else:
        for key, value in fields.items():
            setattr(row, key, value)
    session.flush()
    return row


def all_schedules(session: Session, team_id: str | None = None) -> Sequence[ChannelSchedule]:
    query = select(ChannelSchedule).order_by(ChannelSchedule.team_id, ChannelSchedule.channel_id)
    if team_id is not None:
        query = query.where(ChannelSchedule.team_id == team_id)
    return session.scalars(query).all()


def pause_for_problem(
    session: Session, team_id: str, channel_id: str, reason: str, now: datetime
) -> bool:
    """The bot pauses a channel it can't post in, saying why; True when it was running."""
    row = get_schedule(session, team_id, channel_id)
    if row is None or row.paused:
        return False
    row.paused, row.paused_reason, row.updated_at = True, reason, now
    return True
