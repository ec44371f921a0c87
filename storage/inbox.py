"""The Events API inbox: every delivery stored before Slack gets its 200, applied later.

Queries only: the caller owns the session and its transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    String,
    Text,
    Update,
    bindparam,
    delete,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, validates

from storage.base import Base, UtcDateTime
from storage.db import built_once, insert_for, rows_changed
from storage.rounds import Answer, Round

# What an applied or given-up event keeps: its event_id (and type, times, error) for the
# dedupe, not what it said.
TRIMMED = ""
# An event that failed this many times is given up: never tried again, so its payload goes.
GIVE_UP_AFTER = 5


class InboxEvent(Base):
    """Every Events API delivery, stored before Slack gets its 200; doubles as the dedupe table."""

    __tablename__ = "inbox_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A reaction that came before the message it is on: "<channel> <ts>" of that message.
    waits_for: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)

    @validates("attempts")
    def _give_up(self, _key: str, attempts: int) -> int:
        """The attempt that reaches GIVE_UP_AFTER, whoever counts it, trims the payload: a
        given-up event keeps its id and error, not what people wrote."""
        if attempts >= GIVE_UP_AFTER and self.processed_at is None:
            self.payload = TRIMMED
        return attempts


def store_event(
    session: Session, *, event_id: str, team_id: str, event_type: str, payload: str, now: datetime
) -> bool:
    """Record a delivery; False if this event_id was stored before (a retry)."""
    stmt = (
        insert_for(session, InboxEvent)
        .values(
            event_id=event_id,
            team_id=team_id,
            event_type=event_type,
            payload=payload,
            received_at=now,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(InboxEvent.event_id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def store_events(session: Session, rows: Sequence[dict[str, object]]) -> set[str]:
    """Record several deliveries in one statement; the event_ids that were not stored before.
    Each row has event_id, team_id, event_type, payload and received_at."""
    if not rows:
        return set()
    return set(session.scalars(built_once(session, _store_events), [*rows]))


def _store_events(insert: Callable[[Any], Any]) -> Any:
    events = InboxEvent.__table__
    return (
        insert(events)
        .values(attempts=0)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(events.c.event_id)
    )


def processed_ids(session: Session, event_ids: set[str]) -> set[str]:
    """Which of these stored events were applied already."""
    return set(session.scalars(built_once(session, _processed), {"ids": list(event_ids)}))


def _processed(_insert: object) -> Select[str]:
    return select(InboxEvent.event_id).where(
        InboxEvent.event_id.in_(bindparam("ids", expanding=True)),
        InboxEvent.processed_at.is_not(None),
    )


def get_event(session: Session, event_id: str) -> InboxEvent | None:
    return session.get(InboxEvent, event_id)


def prune_events(session: Session, before: datetime) -> int:
    """Delete events applied before `before`, and given-up events received before it."""
    applied = InboxEvent.processed_at < before
    given_up = (
        InboxEvent.processed_at.is_(None)
        & (InboxEvent.attempts >= GIVE_UP_AFTER)
        & (InboxEvent.received_at < before)
    )
    return rows_changed(session.execute(delete(InboxEvent).where(or_(applied, given_up))))


def pending_events(
    session: Session,
    received_before: datetime | None = None,
    limit: int = 500,
    max_attempts: int = 1_000_000,
) -> Sequence[InboxEvent]:
    query = select(InboxEvent).where(
        InboxEvent.processed_at.is_(None), InboxEvent.attempts < max_attempts
    )
    if received_before is not None:
        query = query.where(InboxEvent.received_at < received_before)
    return session.scalars(query.order_by(InboxEvent.received_at).limit(limit)).all()


def fresh_events(session: Session, limit: int) -> Sequence[InboxEvent]:
    """Events stored and never tried yet, oldest first: what the inbox's writer applies."""
    query = select(InboxEvent).where(InboxEvent.processed_at.is_(None), InboxEvent.attempts == 0)
    return session.scalars(query.order_by(InboxEvent.received_at).limit(limit)).all()


def mark_applied(stored: InboxEvent, now: datetime) -> None:
    """Applied: keep the row for the event_id dedupe, drop the payload (what people wrote)."""
    stored.processed_at = now
    stored.attempts += 1
    stored.payload = TRIMMED
    stored.error = None
    stored.waits_for = None


def untried_ids(session: Session, event_ids: set[str]) -> set[str]:
    """Which of these stored events were never tried (not applied, not waiting)."""
    return set(session.scalars(built_once(session, _untried), {"ids": list(event_ids)}))


def _untried(_insert: object) -> Select[str]:
    return select(InboxEvent.event_id).where(
        InboxEvent.event_id.in_(bindparam("ids", expanding=True)),
        InboxEvent.processed_at.is_(None),
        InboxEvent.attempts == 0,
    )


def mark_applied_ids(session: Session, event_ids: list[str], now: datetime) -> None:
    """`mark_applied` for events not loaded as objects, in one statement."""
    if event_ids:
        session.execute(built_once(session, _applied), {"ids": event_ids, "now": now})


def _applied(_insert: object) -> Update:
    return (
        update(InboxEvent)
        .where(InboxEvent.event_id.in_(bindparam("ids", expanding=True)))
        .values(
            processed_at=bindparam("now"),
            attempts=InboxEvent.attempts + 1,
            payload=TRIMMED,
            error=None,
            waits_for=None,
        )
        .execution_options(synchronize_session=False)
    )


def mark_waiting(session: Session, event_id: str, waits_for: str | None, why: str) -> None:
    """A reaction whose message is not known yet, for an event not loaded as an object."""
    session.execute(
        update(InboxEvent)
        .where(InboxEvent.event_id == event_id)
        .values(attempts=InboxEvent.attempts + 1, error=why, waits_for=waits_for)
        .execution_options(synchronize_session=False)
    )


def message_key(channel_id: str, ts: str) -> str:
    return f"{channel_id} {ts}"


def awaited_messages(session: Session) -> set[str]:
    """The messages (`message_key`) that reactions not applied yet wait for."""
    return set(session.scalars(built_once(session, _awaited)))


def _awaited(_insert: object) -> Select[str | None]:
    return (
        select(InboxEvent.waits_for)
        .where(InboxEvent.waits_for.is_not(None), InboxEvent.processed_at.is_(None))
        .distinct()
    )


def waiting_for(session: Session, team_id: str, key: str) -> Sequence[InboxEvent]:
    """Reactions, not applied yet, that wait for the message `key` (see `message_key`)."""
    params = {"key": key, "team_id": team_id}
    return session.scalars(built_once(session, _waiting_for), params).all()


def _waiting_for(_insert: object) -> Select[InboxEvent]:
    return (
        select(InboxEvent)
        .where(
            InboxEvent.waits_for == bindparam("key"),
            InboxEvent.team_id == bindparam("team_id"),
            InboxEvent.processed_at.is_(None),
        )
        .order_by(InboxEvent.received_at)
    )


def is_round_message(session: Session, team_id: str, channel_id: str, ts: str) -> bool:
    """Whether `ts` is a round's question or an answer (a deleted one too) in that channel."""
    params = {"team_id": team_id, "channel_id": channel_id, "ts": ts}
    return bool(session.scalar(built_once(session, _round_message), params))


def _round_message(_insert: object) -> Select[bool]:
    team: BindParameter[str] = bindparam("team_id")
    channel: BindParameter[str] = bindparam("channel_id")
    ts: BindParameter[str] = bindparam("ts")
    answer = exists().where(Answer.team_id == team, Answer.channel_id == channel, Answer.ts == ts)
    question = exists().where(
        Round.team_id == team, Round.channel_id == channel, Round.message_ts == ts
    )
    return select(or_(answer, question))
