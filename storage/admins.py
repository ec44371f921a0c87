"""Who was given rights in the bot: a channel's admins, and the workspace's calibration managers.

Rights that come from elsewhere (Slack's workspace admins and owners, the app's installer,
INTERVIEW_ADMINS and INTERVIEW_MANAGERS) are not stored here; `bot.slack.people` combines them.

Queries only: the caller owns the session and its transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UtcDateTime
from storage.db import insert_for, rows_changed


class ChannelAdmin(Base):
    """Someone who runs one channel's daily question: set up the channel first, or was added."""

    __tablename__ = "channel_admins"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(32))  # the user themself when they set it up
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CalibrationManager(Base):
    """Someone a bot admin made a hiring manager of the workspace (runs calibration)."""

    __tablename__ = "calibration_managers"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


def channel_admins(session: Session, team_id: str, channel_id: str) -> Sequence[str]:
    """The channel's admins, the longest-serving first."""
    query = (
        select(ChannelAdmin.user_id)
        .where(ChannelAdmin.team_id == team_id, ChannelAdmin.channel_id == channel_id)
        .order_by(ChannelAdmin.added_at, ChannelAdmin.user_id)
    )
    return session.scalars(query).all()


def admin_channels(session: Session, team_id: str, user_id: str) -> Sequence[str]:
    """The channels `user_id` is an admin of."""
    query = (
        select(ChannelAdmin.channel_id)
        .where(ChannelAdmin.team_id == team_id, ChannelAdmin.user_id == user_id)
        .order_by(ChannelAdmin.channel_id)
    )
    return session.scalars(query).all()


def add_channel_admin(
    session: Session, team_id: str, channel_id: str, user_id: str, added_by: str, now: datetime
) -> bool:
    """True when `user_id` became an admin; False when they already were (a retried request
    changes nothing)."""
    values = {
        "team_id": team_id,
        "channel_id": channel_id,
        "user_id": user_id,
        "added_by": added_by,
        "added_at": now,
    }
    return _insert_new(session, ChannelAdmin, values)


def remove_channel_admin(session: Session, team_id: str, channel_id: str, user_id: str) -> bool:
    """True when `user_id` was an admin of the channel."""
    result = session.execute(
        delete(ChannelAdmin).where(
            ChannelAdmin.team_id == team_id,
            ChannelAdmin.channel_id == channel_id,
            ChannelAdmin.user_id == user_id,
        )
    )
    return rows_changed(result) > 0


def managers(session: Session, team_id: str) -> Sequence[str]:
    """The workspace's calibration managers added in Slack, the longest-serving first."""
    query = (
        select(CalibrationManager.user_id)
        .where(CalibrationManager.team_id == team_id)
        .order_by(CalibrationManager.added_at, CalibrationManager.user_id)
    )
    return session.scalars(query).all()


def add_manager(session: Session, team_id: str, user_id: str, added_by: str, now: datetime) -> bool:
    values = {"team_id": team_id, "user_id": user_id, "added_by": added_by, "added_at": now}
    return _insert_new(session, CalibrationManager, values)


def remove_manager(session: Session, team_id: str, user_id: str) -> bool:
    result = session.execute(
        delete(CalibrationManager).where(
            CalibrationManager.team_id == team_id, CalibrationManager.user_id == user_id
        )
    )
    return rows_changed(result) > 0


def forget_person(session: Session, team_id: str | None, user_id: str) -> int:
    """Every right given to `user_id` in the workspace (in all, with None) goes: forget-me.
    How many rows."""
    gone = 0
    for model in (ChannelAdmin, CalibrationManager):
        where = [model.user_id == user_id]
        if team_id is not None:
            where.append(model.team_id == team_id)
        gone += rows_changed(session.execute(delete(model).where(*where)))
    return gone


def _insert_new(
    session: Session,
    model: type[ChannelAdmin] | type[CalibrationManager],
    values: dict[str, object],
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on both backends: two requests at once add one row."""
    # RETURNING, not the rowcount: psycopg reports no rowcount for ON CONFLICT inserts
    statement = (
        insert_for(session, model)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(model.team_id)
    )
    return session.execute(statement).scalar_one_or_none() is not None


class ChannelIntro(Base):
    """The bot introduced itself in a channel it joined: one row per join, so a retried
    `member_joined_channel` posts nothing twice."""

    __tablename__ = "channel_intros"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    joined_ts: Mapped[str] = mapped_column(String(32), primary_key=True)  # the event's event_ts
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime())


def claim_intro(
    session: Session, team_id: str, channel_id: str, joined_ts: str, now: datetime
) -> bool:
    """True for the first delivery of this join (the caller posts the intro); False for a retry."""
    statement = (
        insert_for(session, ChannelIntro)
        .values(team_id=team_id, channel_id=channel_id, joined_ts=joined_ts, claimed_at=now)
        .on_conflict_do_nothing()
        .returning(ChannelIntro.team_id)
    )
    return session.execute(statement).scalar_one_or_none() is not None
