"""Rounds and their thread answers.

A round is claimed (its unique row), posted (open), then revealed; reminders, reveals and stale
claims are claimed with conditional UPDATEs so only one process acts on each. Answers are upserts
that keep the newest version whatever order Slack's events arrive in. Votes on answers live in
`storage.votes`, answers given privately in `storage.blind`.

Queries only: the caller owns the session and its transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Row,
    Select,
    String,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    func,
    select,
    true,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from storage.base import Base, UtcDateTime
from storage.blind import BlindAnswer
from storage.channels import ChannelSchedule
from storage.db import built_once, insert_for, rows_changed
from storage.states import AnswerMode, RoundKind, RoundStatus

UNREVEALED = (RoundStatus.CLAIMED, RoundStatus.OPEN)
# What stands in an answer's required author column once it is deleted or forgotten.
DELETED_AUTHOR = ""


class Round(Base):
    """One question in one channel: claimed, posted, answered, revealed."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "local_date", "sequence"),
        UniqueConstraint("team_id", "channel_id", "message_ts"),
        # The clock's every-minute questions, answered without reading every round ever held:
        # open rounds due to reveal or remind, stale claims (status + time) ...
        Index("ix_rounds_status_reveal_at", "status", "reveal_at"),
        # ... reveals whose message never got recorded (status, reveal_ts IS NULL) ...
        Index("ix_rounds_status_reveal_ts", "status", "reveal_ts"),
        # ... and the daily slots already taken around today, for every channel at once.
        Index("ix_rounds_local_date", "local_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    # 0 is the scheduled round of the day; `/interview now` takes the next free number.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    question_id: Mapped[str] = mapped_column(String(128))
    # a RoundStatus: claimed -> open -> revealed; or skipped / failed
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.CLAIMED)
    # a RoundKind: daily is the channel's round of the day (sequence 0, or `/interview now`)
    kind: Mapped[str] = mapped_column(
        String(16), default=RoundKind.DAILY, server_default=RoundKind.DAILY.value
    )
    # an AnswerMode
    mode: Mapped[str] = mapped_column(
        String(8), default=AnswerMode.OPEN, server_default=AnswerMode.OPEN.value
    )
    started_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    counter_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)  # blind "N so far"
    # the answer count the question message shows ("3 answered so far"); refreshed by the clock
    count_shown: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reveal_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    posted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    reveal_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)

    answers: Mapped[list[Answer]] = relationship(back_populates="round", order_by="Answer.ts")


class Answer(Base):
    """A thread reply to a round's question. `version` orders edits that arrive out of order.

    A deleted answer is a tombstone: no text, no author, only the message's ts and `deleted_at`,
    so a retried or late reply or edit of that message can't bring it back."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[str] = mapped_column(String(32))  # Slack ts of the text we hold
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    round: Mapped[Round] = relationship(back_populates="answers")


# -- claiming and finding rounds ---------------------------------------------------------------


def claim_round(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    local_date: date,
    sequence: int,
    question_id: str,
    now: datetime,
    status: RoundStatus = RoundStatus.CLAIMED,
    reveal_at: datetime | None = None,
    kind: RoundKind = RoundKind.DAILY,
    mode: str = AnswerMode.OPEN,
    started_by: str | None = None,
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
            reveal_at=reveal_at,
            kind=kind,
            mode=mode,
            started_by=started_by,
            count_shown=0,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "channel_id", "local_date", "sequence"])
        .returning(Round.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def confirm_posted(
    session: Session,
    round_id: int,
    message_ts: str,
    posted_at: datetime,
    counter_ts: str | None,
    *,
    final: bool = True,
) -> None:
    """The claimed round's question is in Slack: the round opens (one UPDATE, no read). Not
    `final`: the question still needs its edit (the mentions in its credits), which the live
    count's next pass makes."""
    values: dict[str, object] = {
        "message_ts": message_ts,
        "posted_at": posted_at,
        "status": RoundStatus.OPEN,
        "counter_ts": counter_ts,
        "error": None,
    }
    if not final:
        values["count_shown"] = None
    session.execute(update(Round).where(Round.id == round_id).values(**values))


def round_exists(session: Session, team_id: str, channel_id: str, local_date: date) -> bool:
    """Whether the day's daily slot (sequence 0) is taken: posted, skipped or failed."""
    query = select(Round.id).where(
        Round.team_id == team_id,
        Round.channel_id == channel_id,
        Round.local_date == local_date,
        Round.sequence == 0,
    )
    return session.execute(query.limit(1)).first() is not None


def daily_slots_taken(session: Session, first: date, last: date) -> set[tuple[str, str, date]]:
    """(team, channel, local date) of every daily slot taken (posted, skipped or failed) from
    `first` to `last`: one query for all channels, so the clock's due check doesn't ask once per
    channel."""
    query = select(Round.team_id, Round.channel_id, Round.local_date).where(
        Round.local_date >= first, Round.local_date <= last, Round.sequence == 0
    )
    return {(team, channel, day) for team, channel, day in session.execute(query)}


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
    kind: RoundKind | None = RoundKind.DAILY,
    question_id: str | None = None,
) -> Round | None:
    """The newest unrevealed round of that kind (any kind with kind=None)."""
    query = select(Round).where(
        Round.team_id == team_id,
        Round.channel_id == channel_id,
        Round.status.in_(UNREVEALED),
    )
    if kind is not None:
        query = query.where(Round.kind == kind)
    if question_id is not None:
        query = query.where(Round.question_id == question_id)
    return session.scalars(query.order_by(Round.id.desc()).limit(1)).first()


# A round found by its question's message: id, mode and reveal time.
RoundOfMessage = Row[int, str, datetime | None]


def round_by_message(
    session: Session, team_id: str, channel_id: str, ts: str
) -> RoundOfMessage | None:
    """The round whose question is this message: its id, mode and reveal time."""
    params = {"team_id": team_id, "channel_id": channel_id, "ts": ts}
    return session.execute(built_once(session, _round_by_message), params).first()


def _round_by_message(_insert: object) -> Select[int, str, datetime | None]:
    return select(Round.id, Round.mode, Round.revealed_at).where(
        Round.team_id == bindparam("team_id"),
        Round.channel_id == bindparam("channel_id"),
        Round.message_ts == bindparam("ts"),
    )


def question_history(session: Session, team_id: str, channel_id: str) -> list[str]:
    """Question ids of the channel's daily rounds, oldest first (practice threads are extra)."""
    query = (
        select(Round.question_id)
        .where(
            Round.team_id == team_id,
            Round.channel_id == channel_id,
            Round.kind == RoundKind.DAILY,
            Round.status.not_in((RoundStatus.SKIPPED, RoundStatus.FAILED)),
        )
        .order_by(Round.claimed_at, Round.id)
    )
    return list(session.scalars(query))


def rounds_for_export(session: Session, team_id: str | None = None) -> Sequence[Round]:
    query = select(Round).where(Round.message_ts.is_not(None))
    if team_id is not None:
        query = query.where(Round.team_id == team_id)
    return session.scalars(query.order_by(Round.team_id, Round.posted_at, Round.id)).all()


def recent_rounds(
    session: Session, statuses: Sequence[RoundStatus], limit: int = 20
) -> Sequence[Round]:
    query = select(Round).where(Round.status.in_(statuses)).order_by(Round.claimed_at.desc())
    return session.scalars(query.limit(limit)).all()


# -- recovery, reveals and reminders -----------------------------------------------------------


def expire_stale_claims(session: Session, claimed_before: datetime) -> list[int]:
    """Rounds claimed but never confirmed posted (the process died in between) become failed.
    Whether Slack got the post is unknown, so it is not retried: at most once beats twice."""
    stale = list(
        session.scalars(
            select(Round.id).where(
                Round.status == RoundStatus.CLAIMED, Round.claimed_at < claimed_before
            )
        )
    )
    if stale:
        session.execute(
            update(Round)
            .where(Round.id.in_(stale), Round.status == RoundStatus.CLAIMED)
            .values(status=RoundStatus.FAILED, error="interrupted before the post was confirmed")
        )
    return stale


def reopen_stale_reveals(session: Session, revealed_before: datetime) -> list[int]:
    """Rounds marked revealed whose reveal message never got recorded (the process died while
    posting it) go back to open, so the next pass reveals them."""
    stale = list(
        session.scalars(
            select(Round.id).where(
                Round.status == RoundStatus.REVEALED,
                Round.reveal_ts.is_(None),
                Round.revealed_at < revealed_before,
            )
        )
    )
    if stale:
        session.execute(
            update(Round)
            .where(Round.id.in_(stale), Round.reveal_ts.is_(None))
            # the error makes the next attempt look in the thread for what already landed
            .values(status=RoundStatus.OPEN, revealed_at=None, error="reveal interrupted")
        )
    return stale


def due_reveals(session: Session, now: datetime) -> Sequence[Round]:
    query = select(Round).where(
        Round.status == RoundStatus.OPEN, Round.reveal_at.is_not(None), Round.reveal_at <= now
    )
    return session.scalars(query.order_by(Round.reveal_at)).all()


def claim_reveal(
    session: Session, round_id: int, now: datetime, team_id: str | None = None
) -> bool:
    """Atomically move an open round (of that workspace, when given) to revealed; False if
    someone else got there first."""
    stmt = update(Round).where(Round.id == round_id, Round.status == RoundStatus.OPEN)
    if team_id is not None:
        stmt = stmt.where(Round.team_id == team_id)
    result = session.execute(stmt.values(status=RoundStatus.REVEALED, revealed_at=now))
    return rows_changed(result) == 1


def due_reminders(session: Session, now: datetime) -> list[tuple[Round, int]]:
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
            Round.status == RoundStatus.OPEN,
            Round.reminded_at.is_(None),
            Round.reveal_at.is_not(None),
            Round.reveal_at > now,
            ChannelSchedule.remind_minutes.is_not(None),
        )
    )
    due: list[tuple[Round, int]] = []
    for rnd, minutes in session.execute(query):
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
) -> None:
    """Keep the newest text per message whatever order the reply and its edits arrive in; a
    deleted message stays deleted."""
    session.execute(
        built_once(session, _upsert_answer),
        {
            "round_id": round_id,
            "team_id": team_id,
            "channel_id": channel_id,
            "ts": ts,
            "user_id": user_id,
            "text": text,
            "version": version,
            "deleted": False,
            "received_at": now,
        },
    )


def _upsert_answer(insert: Callable[[Any], Any]) -> Any:
    answers = Answer.__table__
    stmt = insert(answers)
    return stmt.on_conflict_do_update(
        index_elements=["team_id", "channel_id", "ts"],
        set_={"text": stmt.excluded.text, "version": stmt.excluded.version},
        where=(answers.c.version < stmt.excluded.version) & answers.c.deleted.is_(False),
    )


def delete_answer(
    session: Session, *, round_id: int, team_id: str, channel_id: str, ts: str, now: datetime
) -> tuple[str, str] | None:
    """Turn the message's answer into a tombstone (made first when the deletion arrives before
    the reply): its text and author go, `deleted_at` stays. Returns who wrote it and what, if
    known and not already deleted, so copies elsewhere can go too."""
    # columns, not the entity: the update below would leave a loaded Answer stale
    existing = session.execute(
        select(Answer.user_id, Answer.text).where(
            Answer.team_id == team_id,
            Answer.channel_id == channel_id,
            Answer.ts == ts,
            Answer.deleted.is_(False),
        )
    ).first()
    gone = (existing.user_id, existing.text) if existing is not None else None
    stmt = insert_for(session, Answer).values(
        round_id=round_id,
        team_id=team_id,
        channel_id=channel_id,
        ts=ts,
        user_id=DELETED_AUTHOR,
        text="",
        version=ts,
        deleted=True,
        received_at=now,
        deleted_at=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["team_id", "channel_id", "ts"],
        set_={
            "text": "",
            "user_id": DELETED_AUTHOR,
            "deleted": True,
            "deleted_at": func.coalesce(Answer.deleted_at, now),
        },
    )
    session.execute(stmt)
    return gone


def is_deleted_answer(session: Session, team_id: str, channel_id: str, ts: str) -> bool:
    params = {"team_id": team_id, "channel_id": channel_id, "ts": ts}
    return session.execute(built_once(session, _deleted_answer), params).first() is not None


def _deleted_answer(_insert: object) -> Select[int]:
    return (
        select(Answer.id)
        .where(
            Answer.team_id == bindparam("team_id"),
            Answer.channel_id == bindparam("channel_id"),
            Answer.ts == bindparam("ts"),
            Answer.deleted.is_(True),
        )
        .limit(1)
    )


def counted_answers(session: Session, rnd: Round) -> list[Answer]:
    """Answers that count: not deleted, posted before the reveal (blind answers are posted by the
    reveal itself, so all of them count)."""
    query = select(Answer).where(Answer.round_id == rnd.id, Answer.deleted.is_(False))
    answers = session.scalars(query.order_by(Answer.ts)).all()
    if rnd.revealed_at is None or rnd.mode == AnswerMode.BLIND:
        return list(answers)
    cutoff = rnd.revealed_at.timestamp()
    return [a for a in answers if float(a.ts) < cutoff]


# -- the live answer count on open questions ---------------------------------------------------


def counts_to_show(session: Session, round_id: int | None = None) -> list[tuple[Round, int]]:
    """Open, posted rounds (or the one `round_id`) whose question shows a different answer count
    than they have now: (round, people who answered). Blind rounds count their private
    answers."""
    open_posted = and_(
        Round.status == RoundStatus.OPEN,
        Round.message_ts.is_not(None),
        Round.reveal_at.is_not(None),
        true() if round_id is None else Round.id == round_id,
    )
    rounds = {rnd.id: rnd for rnd in session.scalars(select(Round).where(open_posted))}
    if not rounds:
        return []
    counts: dict[int, int] = dict.fromkeys(rounds, 0)
    replies = (
        select(Answer.round_id, func.count(func.distinct(Answer.user_id)))
        .join(Round, Answer.round_id == Round.id)
        .where(open_posted, Round.mode != AnswerMode.BLIND, Answer.deleted.is_(False))
        .group_by(Answer.round_id)
    )
    private = (
        select(BlindAnswer.round_id, func.count(BlindAnswer.id))
        .join(Round, BlindAnswer.round_id == Round.id)
        .where(open_posted, Round.mode == AnswerMode.BLIND)
        .group_by(BlindAnswer.round_id)
    )
    for query in (replies, private):
        for round_id, count in session.execute(query):
            if round_id in counts:
                counts[round_id] = int(count)
    return [(rounds[i], n) for i, n in counts.items() if rounds[i].count_shown != n]


def record_count_shown(session: Session, round_id: int, count: int) -> None:
    session.execute(update(Round).where(Round.id == round_id).values(count_shown=count))
