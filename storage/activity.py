"""A channel's activity for stats and leaderboards: counted rounds, answers and votes.

Only rows that count are read, following the rules of `storage.rounds.counted_answers` and
`storage.votes.voters_by_answer`:

- a round counts when it was posted (message_ts set) and is open or revealed;
- an answer counts when it is not deleted and its ts is before the round's reveal; a blind
  answer (`BlindAnswer`) always counts, with its submission time as its ts;
- a vote counts when it is active, is on a counted answer (any answer of a blind round: those
  are the reveal's own posts), and is not the author's own.

The rules are applied in SQL, so a person's stats read only their own answers and the votes on
them, and a leaderboard reads one row per person: neither ships a channel's history to Python.

Queries only: the caller owns the session and its transaction; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, func, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from storage.blind import BlindAnswer
from storage.channels import ChannelSchedule
from storage.rounds import Answer, Round
from storage.states import AnswerMode, RoundKind, RoundStatus
from storage.votes import Vote

COUNTED_STATUSES = (RoundStatus.OPEN, RoundStatus.REVEALED, RoundStatus.REVEAL_FAILED)
DEFAULT_TIMEZONE = "UTC"
# A practice round earns points once this many people answered it.
PRACTICE_QUORUM = 2


@dataclass(frozen=True)
class RoundRow:
    id: int
    local_date: date
    sequence: int
    kind: str  # daily | practice
    status: str  # open | revealed | reveal_failed
    question_id: str
    revealed_at: datetime | None


@dataclass(frozen=True)
class AnswerRow:
    """`user_id` has a counted answer in the round (a reply before the reveal, or blind)."""

    round_id: int
    user_id: str


@dataclass(frozen=True)
class VoteRow:
    """A counted vote by `voter_id` on a counted answer written by `author_id`."""

    round_id: int
    author_id: str
    voter_id: str


@dataclass(frozen=True)
class ChannelActivity:
    """The channel's counted rounds, and the counted answers and votes that were asked for
    (`person_activity`: one person's answers and the votes on them)."""

    rounds: list[RoundRow]  # ordered by (local_date, sequence)
    answers: list[AnswerRow]
    votes: list[VoteRow]
    timezone: str  # the channel's time zone; UTC when it has none


@dataclass(frozen=True)
class Tally:
    """One person's part of a leaderboard: the rounds that earn points that they answered, the
    counted votes on their answers in those rounds, and when their earliest answer came (epoch
    seconds, as a Slack ts reads)."""

    user_id: str
    rounds: int
    votes: int
    first_answer: float


# -- Slack ts and stored datetimes, compared in SQL --------------------------------------------


class slack_seconds(FunctionElement[Any]):  # noqa: N801 (an SQL function, named like one)
    """A Slack ts column ("1767225600.000100") as a number of seconds."""

    inherit_cache = True


class epoch_seconds(FunctionElement[Any]):  # noqa: N801 (an SQL function, named like one)
    """A `UtcDateTime` column as seconds since the epoch, like `datetime.timestamp()`."""

    inherit_cache = True


@compiles(slack_seconds, "sqlite")
def _slack_seconds_sqlite(element: slack_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS REAL)"


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps the UTC datetime as text, 'YYYY-MM-DD HH:MM:SS.ffffff': whole seconds from
    # strftime, then the fraction as written, so the number is spelled like a Slack ts and read
    # by the same CAST (an exact tie with a reply's ts stays a tie).
    value = compiler.process(element.clauses, **kw)
    return f"CAST(strftime('%s', {value}) || substr({value}, 20) AS REAL)"


@compiles(slack_seconds, "postgresql")
def _slack_seconds_postgresql(element: slack_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS NUMERIC)"


@compiles(epoch_seconds, "postgresql")
def _epoch_seconds_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"  # exact, a numeric


# -- what counts -------------------------------------------------------------------------------


def _counted_round(team_id: str, channel_id: str) -> ColumnElement[bool]:
    return and_(
        Round.team_id == team_id,
        Round.channel_id == channel_id,
        Round.message_ts.is_not(None),
        Round.status.in_(COUNTED_STATUSES),
    )


def _before_reveal() -> ColumnElement[bool]:
    """The reply (`Answer`) came before its round's reveal; blind rounds (their replies are the
    reveal's own posts) and rounds not revealed yet have no cutoff."""
    return or_(
        Round.revealed_at.is_(None),
        Round.mode == AnswerMode.BLIND,
        slack_seconds(Answer.ts) < epoch_seconds(Round.revealed_at),
    )


def _counted_answers(rounds: ColumnElement[bool], user_id: str | None = None) -> Subquery:
    """Counted answers in `rounds` (`user_id`'s only, when given): (round_id, kind, user_id, at),
    `at` in epoch seconds. A blind round's thread replies are its reveal's posts: its answers
    are the private ones."""
    replies = (
        select(Answer.round_id, Round.kind, Answer.user_id, slack_seconds(Answer.ts).label("at"))
        .join(Round, Answer.round_id == Round.id)
        .where(rounds, Answer.deleted.is_(False), Round.mode != AnswerMode.BLIND, _before_reveal())
    )
    private = (
        select(
            BlindAnswer.round_id,
            Round.kind,
            BlindAnswer.user_id,
            epoch_seconds(BlindAnswer.submitted_at).label("at"),
        )
        .join(Round, BlindAnswer.round_id == Round.id)
        .where(rounds)
    )
    if user_id is not None:
        replies = replies.where(Answer.user_id == user_id)
        private = private.where(BlindAnswer.user_id == user_id)
    return union_all(replies, private).subquery("counted_answers")


def _counted_votes(
    rounds: ColumnElement[bool], author_id: str | None = None
) -> Select[int, str, str]:
    """Counted votes on answers in `rounds` (`author_id`'s only, when given): (round_id,
    author_id, voter_id)."""
    query = (
        select(Answer.round_id, Answer.user_id.label("author_id"), Vote.voter_id)
        .select_from(Vote)
        .join(
            Answer,
            and_(
                Vote.team_id == Answer.team_id,
                Vote.channel_id == Answer.channel_id,
                Vote.message_ts == Answer.ts,
            ),
        )
        .join(Round, Answer.round_id == Round.id)
        .where(
            rounds,
            Answer.deleted.is_(False),
            Vote.active.is_(True),
            Vote.voter_id != Answer.user_id,
            _before_reveal(),
        )
    )
    return query if author_id is None else query.where(Answer.user_id == author_id)


# -- the reads ---------------------------------------------------------------------------------


def channel_timezone(session: Session, team_id: str, channel_id: str) -> str:
    """The channel's time zone; UTC when it has none."""
    timezone = session.execute(
        select(ChannelSchedule.timezone).where(
            ChannelSchedule.team_id == team_id, ChannelSchedule.channel_id == channel_id
        )
    ).scalar_one_or_none()
    return timezone or DEFAULT_TIMEZONE


def person_activity(
    session: Session, team_id: str, channel_id: str, user_id: str
) -> ChannelActivity:
    """The channel's counted rounds, with one person's counted answers and the counted votes on
    them: what their stats need, whatever everyone else wrote (four queries through indexes)."""
    counted_round = _counted_round(team_id, channel_id)
    rounds = [
        RoundRow(*row)
        for row in session.execute(
            select(
                Round.id,
                Round.local_date,
                Round.sequence,
                Round.kind,
                Round.status,
                Round.question_id,
                Round.revealed_at,
            )
            .where(counted_round)
            .order_by(Round.local_date, Round.sequence, Round.id)
        )
    ]
    answers = _counted_answers(counted_round, user_id)
    answered = session.execute(select(answers.c.round_id).distinct()).scalars()
    votes = session.execute(_counted_votes(counted_round, user_id))
    return ChannelActivity(
        rounds=rounds,
        answers=[AnswerRow(round_id, user_id) for round_id in sorted(answered)],
        votes=[VoteRow(round_id, author, voter) for round_id, author, voter in votes],
        timezone=channel_timezone(session, team_id, channel_id),
    )


def leaderboard_tallies(
    session: Session, team_id: str, channel_id: str, days: tuple[date, date] | None
) -> list[Tally]:
    """Each person's tally over the channel's counted rounds held on `days` (first, last local
    date; None for all time), added up in the database: one row per person comes back."""
    rounds = _counted_round(team_id, channel_id)
    if days is not None:
        rounds = and_(rounds, Round.local_date >= days[0], Round.local_date <= days[1])
    answers = _counted_answers(rounds)
    answered = (
        select(
            answers.c.round_id,
            answers.c.user_id,
            func.min(answers.c.at).label("first_at"),
            answers.c.kind,
            func.count().over(partition_by=answers.c.round_id).label("people"),
        )
        .group_by(answers.c.round_id, answers.c.user_id, answers.c.kind)
        .subquery("answered")
    )
    # A practice round earns points only once a second person answered it.
    scoring = (
        select(answered.c.round_id, answered.c.user_id, answered.c.first_at)
        .where(or_(answered.c.kind != RoundKind.PRACTICE, answered.c.people >= PRACTICE_QUORUM))
        .subquery("scoring")
    )
    counted = _counted_votes(rounds).subquery("counted_votes")
    votes = (
        select(counted.c.round_id, counted.c.author_id, func.count().label("votes"))
        .group_by(counted.c.round_id, counted.c.author_id)
        .subquery("votes")
    )
    query = (
        select(
            scoring.c.user_id,
            func.count().label("rounds"),
            func.coalesce(func.sum(votes.c.votes), 0).label("votes"),
            func.min(scoring.c.first_at).label("first_answer"),
        )
        .select_from(
            scoring.outerjoin(
                votes,
                and_(
                    votes.c.round_id == scoring.c.round_id,
                    votes.c.author_id == scoring.c.user_id,
                ),
            )
        )
        .group_by(scoring.c.user_id)
    )
    return [
        Tally(user, int(rounds_answered), int(votes_received), float(first))
        for user, rounds_answered, votes_received, first in session.execute(query)
    ]
