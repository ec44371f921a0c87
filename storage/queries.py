"""Queries. Callers own the session and its transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session

from storage.db import insert_for, rows_changed
from storage.models import (
    Answer,
    BlindAnswer,
    ChannelSchedule,
    CustomQuestion,
    InboxEvent,
    Round,
    Vote,
)

# -- schedules ---------------------------------------------------------------------------------


def get_schedule(session: Session, team_id: str, channel_id: str) -> ChannelSchedule | None:
    return session.get(ChannelSchedule, (team_id, channel_id))


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


# -- rounds ------------------------------------------------------------------------------------


def claim_round(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    local_date: date,
    sequence: int,
    question_id: str,
    now: datetime,
    status: str = "claimed",
) -> int | None:
    """Insert the round's unique row; None if another process already claimed that slot."""
    stmt = (
        insert_for(session, Round)
        .values(
            team_id=team_id,
            channel_id=channel_id,
            local_date=local_date,
            sequence=sequence,
            question_id=question_id,
            status=status,
            claimed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "channel_id", "local_date", "sequence"])
        .returning(Round.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def round_exists(session: Session, team_id: str, channel_id: str, local_date: date) -> bool:
    """Whether the day's daily slot (sequence 0) is taken: posted, skipped or failed."""
    query = select(Round.id).where(
        Round.team_id == team_id,
        Round.channel_id == channel_id,
        Round.local_date == local_date,
        Round.sequence == 0,
    )
    return session.execute(query.limit(1)).first() is not None


def next_sequence(session: Session, team_id: str, channel_id: str, local_date: date) -> int:
    query = select(func.max(Round.sequence)).where(
        Round.team_id == team_id, Round.channel_id == channel_id, Round.local_date == local_date
    )
    current = session.execute(query).scalar_one_or_none()
    return 0 if current is None else current + 1


def open_round(
    session: Session,
    team_id: str,
    channel_id: str,
    kind: str | None = "daily",
    question_id: str | None = None,
) -> Round | None:
    """The newest unrevealed round of that kind (any kind with kind=None)."""
    query = select(Round).where(
        Round.team_id == team_id,
        Round.channel_id == channel_id,
        Round.status.in_(("claimed", "open")),
    )
    if kind is not None:
        query = query.where(Round.kind == kind)
    if question_id is not None:
        query = query.where(Round.question_id == question_id)
    return session.scalars(query.order_by(Round.id.desc()).limit(1)).first()


def round_by_message(session: Session, team_id: str, channel_id: str, ts: str) -> Round | None:
    query = select(Round).where(
        Round.team_id == team_id, Round.channel_id == channel_id, Round.message_ts == ts
    )
    return session.scalars(query).first()


def question_history(session: Session, team_id: str, channel_id: str) -> list[str]:
    """Question ids of the channel's daily rounds, oldest first (practice threads are extra)."""
    query = (
        select(Round.question_id)
        .where(
            Round.team_id == team_id,
            Round.channel_id == channel_id,
            Round.kind == "daily",
            Round.status.not_in(("skipped", "failed")),
        )
        .order_by(Round.claimed_at, Round.id)
    )
    return list(session.scalars(query))


def expire_stale_claims(session: Session, claimed_before: datetime) -> list[int]:
    """Rounds claimed but never confirmed posted (the process died in between) become failed.
    Whether Slack got the post is unknown, so it is not retried: at most once beats twice."""
    stale = list(
        session.scalars(
            select(Round.id).where(Round.status == "claimed", Round.claimed_at < claimed_before)
        )
    )
    if stale:
        session.execute(
            update(Round)
            .where(Round.id.in_(stale), Round.status == "claimed")
            .values(status="failed", error="interrupted before the post was confirmed")
        )
    return stale


def reopen_stale_reveals(session: Session, revealed_before: datetime) -> list[int]:
    """Rounds marked revealed whose reveal message never got recorded (the process died while
    posting it) go back to open, so the next pass reveals them."""
    stale = list(
        session.scalars(
            select(Round.id).where(
                Round.status == "revealed",
                Round.reveal_ts.is_(None),
                Round.revealed_at < revealed_before,
            )
        )
    )
    if stale:
        session.execute(
            update(Round)
            .where(Round.id.in_(stale), Round.reveal_ts.is_(None))
            .values(status="open", revealed_at=None)
        )
    return stale


def due_reveals(session: Session, now: datetime) -> Sequence[Round]:
    query = select(Round).where(
        Round.status == "open", Round.reveal_at.is_not(None), Round.reveal_at <= now
    )
    return session.scalars(query.order_by(Round.reveal_at)).all()


def claim_reveal(
    session: Session, round_id: int, now: datetime, team_id: str | None = None
) -> bool:
    """Atomically move an open round (of that workspace, when given) to revealed; False if
    someone else got there first."""
    stmt = update(Round).where(Round.id == round_id, Round.status == "open")
    if team_id is not None:
        stmt = stmt.where(Round.team_id == team_id)
    result = session.execute(stmt.values(status="revealed", revealed_at=now))
    return rows_changed(result) == 1


def rounds_for_export(session: Session, team_id: str | None = None) -> Sequence[Round]:
    query = select(Round).where(Round.message_ts.is_not(None))
    if team_id is not None:
        query = query.where(Round.team_id == team_id)
    return session.scalars(query.order_by(Round.team_id, Round.posted_at, Round.id)).all()


def recent_rounds(session: Session, statuses: Sequence[str], limit: int = 20) -> Sequence[Round]:
    query = select(Round).where(Round.status.in_(statuses)).order_by(Round.claimed_at.desc())
    return session.scalars(query.limit(limit)).all()


def due_reminders(session: Session, now: datetime) -> Sequence[tuple[Round, int]]:
    """Open rounds whose channel wants a reminder and whose reminder time has come."""
    query = (
        select(Round, ChannelSchedule.remind_minutes)
        .join(
            ChannelSchedule,
            and_(
                ChannelSchedule.team_id == Round.team_id,
                ChannelSchedule.channel_id == Round.channel_id,
            ),
        )
        .where(
            Round.status == "open",
            Round.reminded_at.is_(None),
            Round.reveal_at.is_not(None),
            Round.reveal_at > now,
            ChannelSchedule.remind_minutes.is_not(None),
        )
    )
    due: list[tuple[Round, int]] = []
    for rnd, minutes in session.execute(query).tuples():
        # both are set: the query filters out rounds without a reveal time or reminder
        if (
            rnd.reveal_at is not None
            and minutes is not None
            and rnd.reveal_at - timedelta(minutes=minutes) <= now
        ):
            due.append((rnd, minutes))
    return due


def claim_reminder(session: Session, round_id: int, now: datetime) -> bool:
    result = session.execute(
        update(Round)
        .where(Round.id == round_id, Round.reminded_at.is_(None))
        .values(reminded_at=now)
    )
    return rows_changed(result) == 1


# -- blind answers and custom questions -------------------------------------------------------


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


def custom_questions(
    session: Session, team_id: str, added_by: str | None = None
) -> Sequence[CustomQuestion]:
    query = select(CustomQuestion).where(CustomQuestion.team_id == team_id)
    if added_by is not None:
        query = query.where(CustomQuestion.added_by == added_by)
    return session.scalars(query.order_by(CustomQuestion.id)).all()


# -- answers and votes -------------------------------------------------------------------------


def upsert_answer(
    session: Session,
    *,
    round_id: int,
    team_id: str,
    channel_id: str,
    ts: str,
    user_id: str,
    text: str,
    version: str,
    now: datetime,
    deleted: bool = False,
) -> None:
    """Keep the newest text per message whatever order the reply, edits and delete arrive in."""
    stmt = insert_for(session, Answer).values(
        round_id=round_id,
        team_id=team_id,
        channel_id=channel_id,
        ts=ts,
        user_id=user_id,
        text=text,
        version=version,
        deleted=deleted,
        received_at=now,
    )
    if deleted:
        stmt = stmt.on_conflict_do_update(
            index_elements=["team_id", "channel_id", "ts"], set_={"deleted": True}
        )
    else:
        stmt = stmt.on_conflict_do_update(
            index_elements=["team_id", "channel_id", "ts"],
            set_={"text": stmt.excluded.text, "version": stmt.excluded.version},
            where=Answer.version < stmt.excluded.version,
        )
    session.execute(stmt)


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
) -> None:
    """Apply a reaction change unless a newer one for the same voter and message is stored."""
    stmt = insert_for(session, Vote).values(
        team_id=team_id,
        channel_id=channel_id,
        message_ts=message_ts,
        voter_id=voter_id,
        active=active,
        version=version,
        updated_at=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["team_id", "channel_id", "message_ts", "voter_id"],
        set_={"active": stmt.excluded.active, "version": stmt.excluded.version, "updated_at": now},
        where=Vote.version <= stmt.excluded.version,
    )
    session.execute(stmt)


def counted_answers(session: Session, rnd: Round) -> list[Answer]:
    """Answers that count: not deleted, posted before the reveal (blind answers are posted by the
    reveal itself, so all of them count)."""
    query = select(Answer).where(Answer.round_id == rnd.id, Answer.deleted.is_(False))
    answers = session.scalars(query.order_by(Answer.ts)).all()
    if rnd.revealed_at is None or rnd.mode == "blind":
        return list(answers)
    cutoff = rnd.revealed_at.timestamp()
    return [a for a in answers if float(a.ts) < cutoff]


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


# -- inbox -------------------------------------------------------------------------------------


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


def get_event(session: Session, event_id: str) -> InboxEvent | None:
    return session.get(InboxEvent, event_id)


def prune_events(session: Session, processed_before: datetime) -> int:
    result = session.execute(
        delete(InboxEvent).where(
            InboxEvent.processed_at.is_not(None), InboxEvent.processed_at < processed_before
        )
    )
    return rows_changed(result)


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
