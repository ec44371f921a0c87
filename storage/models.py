"""Database models. Every row is scoped by the Slack workspace (team id)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value  # type: ignore[attr-defined]

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


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
    vote_emoji: Mapped[str] = mapped_column(String(64), default="+1")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    mode: Mapped[str] = mapped_column(String(8), default="open", server_default="open")  # or blind
    remind_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Round(Base):
    """One question in one channel: claimed, posted, answered, revealed."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "local_date", "sequence"),
        UniqueConstraint("team_id", "channel_id", "message_ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    # 0 is the scheduled round of the day; `/interview now` takes the next free number.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    question_id: Mapped[str] = mapped_column(String(128))
    # claimed -> open -> revealed; or skipped / failed
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    # daily: the channel's round of the day (sequence 0, or `/interview now`); practice: on demand
    kind: Mapped[str] = mapped_column(String(16), default="daily", server_default="daily")
    mode: Mapped[str] = mapped_column(String(8), default="open", server_default="open")
    started_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    counter_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)  # blind "N so far"
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
    """A thread reply to a round's question. `version` orders edits that arrive out of order."""

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

    round: Mapped[Round] = relationship(back_populates="answers")


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
