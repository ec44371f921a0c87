"""A person's own notification settings, per workspace: reveal pings and snoozes.

Snoozes are kept as periods (not only the current one), so a streak stays frozen over days
someone was snoozed even after the snooze ended.

Queries only: the caller owns the session and its transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import (
    BindParameter,
    Boolean,
    Index,
    Integer,
    Select,
    String,
    bindparam,
    delete,
    false,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UtcDateTime
from storage.db import built_once, insert_for, rows_changed


class PersonPrefs(Base):
    """Settings a person chose for themselves in one workspace."""

    __tablename__ = "people_prefs"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # mentioned (so notified) by the reveal; by default the reveal names without notifying
    reveal_pings: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Snooze(Base):
    """A period in which a person gets no pings and their streaks are frozen."""

    __tablename__ = "snoozes"
    __table_args__ = (Index("ix_snoozes_team_id_user_id", "team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())  # moved to now by `snooze off`


def set_reveal_pings(session: Session, team_id: str, user_id: str, on: bool, now: datetime) -> None:
    stmt = insert_for(session, PersonPrefs).values(
        team_id=team_id, user_id=user_id, reveal_pings=on, updated_at=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["team_id", "user_id"],
        set_={"reveal_pings": stmt.excluded.reveal_pings, "updated_at": stmt.excluded.updated_at},
    )
    session.execute(stmt)


def wants_reveal_pings(session: Session, team_id: str, user_id: str) -> bool:
    row = session.get(PersonPrefs, (team_id, user_id))
    return bool(row and row.reveal_pings)


def reveal_pings_among(session: Session, team_id: str, user_ids: Iterable[str]) -> set[str]:
    """Those of `user_ids` who asked to be notified by the reveal."""
    wanted = list(set(user_ids))
    if not wanted:
        return set()
    query = select(PersonPrefs.user_id).where(
        PersonPrefs.team_id == team_id,
        PersonPrefs.user_id.in_(wanted),
        PersonPrefs.reveal_pings.is_(True),
    )
    return set(session.scalars(query))


def active_snooze(session: Session, team_id: str, user_id: str, now: datetime) -> Snooze | None:
    params = {"team_id": team_id, "user_id": user_id, "now": now}
    return session.scalars(built_once(session, _active_snooze), params).first()


def _active_snooze(_insert: object) -> Select[Snooze]:
    now: BindParameter[datetime] = bindparam("now", type_=UtcDateTime())
    return (
        select(Snooze)
        .where(
            Snooze.team_id == bindparam("team_id"),
            Snooze.user_id == bindparam("user_id"),
            Snooze.starts_at <= now,
            Snooze.ends_at > now,
        )
        .order_by(Snooze.ends_at.desc())
        .limit(1)
    )


def snoozed_among(
    session: Session, team_id: str, user_ids: Iterable[str], now: datetime
) -> set[str]:
    """Those of `user_ids` who are snoozed at `now`."""
    wanted = list(set(user_ids))
    if not wanted:
        return set()
    query = select(Snooze.user_id).where(
        Snooze.team_id == team_id,
        Snooze.user_id.in_(wanted),
        Snooze.starts_at <= now,
        Snooze.ends_at > now,
    )
    return set(session.scalars(query))


def snooze(session: Session, team_id: str, user_id: str, now: datetime, until: datetime) -> None:
    """Snooze from now until `until`; a snooze already running is replaced (ended now)."""
    end_snooze(session, team_id, user_id, now)
    session.add(Snooze(team_id=team_id, user_id=user_id, starts_at=now, ends_at=until))
    session.flush()


def end_snooze(session: Session, team_id: str, user_id: str, now: datetime) -> bool:
    """End a running snooze now; False when none was running."""
    current = active_snooze(session, team_id, user_id, now)
    if current is None:
        return False
    current.ends_at = now
    session.flush()
    return True


def snoozes_of(session: Session, team_id: str, user_id: str) -> Sequence[Snooze]:
    """All of a person's snooze periods in the workspace, oldest first."""
    params = {"team_id": team_id, "user_id": user_id}
    return session.scalars(built_once(session, _snoozes_of), params).all()


def _snoozes_of(_insert: object) -> Select[Snooze]:
    return (
        select(Snooze)
        .where(Snooze.team_id == bindparam("team_id"), Snooze.user_id == bindparam("user_id"))
        .order_by(Snooze.starts_at)
    )


def forget_person(session: Session, team_id: str | None, user_id: str) -> int:
    """Delete a person's settings and snoozes (in one workspace, or in all with None); for
    forget-me. The rows deleted."""
    deleted = 0
    for model in (PersonPrefs, Snooze):
        stmt = delete(model).where(model.user_id == user_id)
        if team_id is not None:
            stmt = stmt.where(model.team_id == team_id)
        deleted += rows_changed(session.execute(stmt))
    return deleted
