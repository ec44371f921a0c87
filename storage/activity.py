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
from datetime import date
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Date,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    exists,
    func,
    null,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from storage import channels as channel_store
from storage.blind import BlindAnswer
from storage.db import built_once
from storage.rounds import Answer, Round
from storage.states import AnswerMode, RoundKind, RoundStatus
from storage.votes import Vote

COUNTED_STATUSES = (RoundStatus.OPEN, RoundStatus.REVEALED, RoundStatus.REVEAL_FAILED)
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


def _counted_round() -> ColumnElement[bool]:
    """The channel's counted rounds; the channel is given as the parameters `team_id` and
    `channel_id` when the statement runs (each statement here is built once, see `built_once`:
    building these took SQLAlchemy several times what running them takes the database)."""
    return and_(
        Round.team_id == bindparam("team_id"),
        Round.channel_id == bindparam("channel_id"),
        Round.message_ts.is_not(None),
        Round.status.in_(COUNTED_STATUSES),
    )


def _no_cutoff() -> ColumnElement[bool]:
    """Replies to a blind round are the reveal's own posts, and a round not revealed yet has no
    reveal to be late for: all of their replies count."""
    return or_(Round.revealed_at.is_(None), Round.mode == AnswerMode.BLIND)


def _rounds_in(where: ColumnElement[bool]) -> CTE:
    """The rounds `where` picks: (id, kind, blind, cutoff), the cutoff (epoch seconds) a reply
    must come before to count, NULL when there is none. Materialized, so that the cutoff is
    worked out once per round rather than once per reply."""
    return (
        select(
            Round.id,
            Round.kind,
            (Round.mode == AnswerMode.BLIND).label("blind"),
            case((_no_cutoff(), null()), else_=epoch_seconds(Round.revealed_at)).label("cutoff"),
        )
        .where(where)
        .cte("rounds_in")
        .prefix_with("MATERIALIZED")
    )


def _replies(rounds: CTE) -> Select[Any]:
    """The counted thread replies in `rounds`: not deleted, before the cutoff. In a blind round
    they are the reveal's posts of the private answers: they carry votes, they are not answers."""
    return (
        select(
            Answer.round_id,
            Answer.user_id,
            Answer.team_id,
            Answer.channel_id,
            Answer.ts,
            rounds.c.blind,
        )
        .join(rounds, Answer.round_id == rounds.c.id)
        .where(
            Answer.deleted.is_(False),
            or_(rounds.c.cutoff.is_(None), slack_seconds(Answer.ts) < rounds.c.cutoff),
        )
    )


def _vote_on(reply: Any) -> ColumnElement[bool]:
    """The ON clause of a counted vote on `reply` (a table or subquery with the reply's team_id,
    channel_id, ts and user_id): active, and not its author's own."""
    return and_(
        Vote.team_id == reply.team_id,
        Vote.channel_id == reply.channel_id,
        Vote.message_ts == reply.ts,
        Vote.active.is_(True),
        Vote.voter_id != reply.user_id,
    )


def _people_in_round() -> ScalarSelect[int]:
    """How many people have a counted answer in the outer query's `Round`."""
    replies = (
        select(Answer.user_id.label("user_id"))
        .where(
            Answer.round_id == Round.id,
            Answer.deleted.is_(False),
            Round.mode != AnswerMode.BLIND,
            or_(_no_cutoff(), slack_seconds(Answer.ts) < epoch_seconds(Round.revealed_at)),
        )
        .correlate(Round)
    )
    private = select(BlindAnswer.user_id).where(BlindAnswer.round_id == Round.id).correlate(Round)
    people = union_all(replies, private).subquery("people")
    return select(func.count(func.distinct(people.c.user_id))).correlate(Round).scalar_subquery()


# -- the reads ---------------------------------------------------------------------------------


def person_activity(
    session: Session, team_id: str, channel_id: str, user_id: str
) -> ChannelActivity:
    """The channel's counted rounds, with one person's counted answers and the counted votes on
    them: what their stats need, whatever everyone else wrote (four queries through indexes)."""
    params = {"team_id": team_id, "channel_id": channel_id, "user_id": user_id}
    rounds = [RoundRow(*row) for row in session.execute(built_once(session, _rounds), params)]
    answered = session.scalars(built_once(session, _answered), params)
    votes = session.execute(built_once(session, _votes_received), params)
    return ChannelActivity(
        rounds=rounds,
        answers=[AnswerRow(round_id, user_id) for round_id in sorted(answered)],
        votes=[VoteRow(round_id, user_id, voter) for round_id, voter in votes],
        timezone=channel_store.timezone(session, team_id, channel_id),
    )


def _rounds(_insert: object) -> Select[int, date, int, str, str, str]:
    return (
        select(
            Round.id, Round.local_date, Round.sequence, Round.kind, Round.status, Round.question_id
        )
        .where(_counted_round())
        .order_by(Round.local_date, Round.sequence, Round.id)
    )


def _theirs() -> tuple[CTE, Subquery]:
    """The counted rounds, and the `user_id` parameter's counted replies in them."""
    rounds_in = _rounds_in(_counted_round())
    return rounds_in, _replies(rounds_in).where(Answer.user_id == bindparam("user_id")).subquery(
        "theirs"
    )


def _answered(_insert: object) -> CompoundSelect:
    rounds_in, theirs = _theirs()
    private = (
        select(BlindAnswer.round_id)
        .join(rounds_in, BlindAnswer.round_id == rounds_in.c.id)
        .where(BlindAnswer.user_id == bindparam("user_id"))
    )
    return union(select(theirs.c.round_id).where(theirs.c.blind.is_(False)), private)


def _votes_received(_insert: object) -> Select[Any]:
    _, theirs = _theirs()
    return select(theirs.c.round_id, Vote.voter_id).join(Vote, _vote_on(theirs.c))


def leaderboard_tallies(
    session: Session, team_id: str, channel_id: str, days: tuple[date, date] | None
) -> list[Tally]:
    """Each person's tally over the channel's counted rounds held on `days` (first, last local
    date; None for all time), added up in the database: one row per person comes back.

    One pass over the rounds' replies, each with its counted votes, plus the blind answers; a
    vote on a blind round's post counts when its author answered that round privately."""
    params: dict[str, Any] = {"team_id": team_id, "channel_id": channel_id}
    if days is not None:
        params |= {"first": days[0], "last": days[1]}
    query = built_once(session, _tallies_all if days is None else _tallies_in_period)
    return [
        Tally(user, rounds_answered, votes_received, float(first))
        for user, rounds_answered, votes_received, first in session.execute(query, params)
    ]


def _tallies_all(_insert: object) -> Select[Any]:
    return _tallies(period=False)


def _tallies_in_period(_insert: object) -> Select[Any]:
    return _tallies(period=True)


def _tallies(*, period: bool) -> Select[Any]:
    """The leaderboard's statement: over all time, or the days from the parameter `first` to
    `last`."""
    rounds = _counted_round()
    if period:
        first: BindParameter[date] = bindparam("first", type_=Date())
        last: BindParameter[date] = bindparam("last", type_=Date())
        rounds = and_(rounds, Round.local_date >= first, Round.local_date <= last)
    # A practice round earns points only once a second person answered it.
    scoring = _rounds_in(
        and_(rounds, or_(Round.kind != RoundKind.PRACTICE, _people_in_round() >= PRACTICE_QUORUM))
    )
    replies = _replies(scoring).subquery("replies")
    # The channel's active votes, matched to the replies by ts (an answer is stored in its
    # round's channel). Over all time, PostgreSQL reads them once through the index and hashes
    # them, where it would look up each reply's votes one by one. A period's few replies, and
    # SQLite (its lookups are cheaper than the temporary index it would build), look them up.
    channel_votes = (
        select(Vote.message_ts, Vote.voter_id)
        .where(
            Vote.team_id == bindparam("team_id"),
            Vote.channel_id == bindparam("channel_id"),
            Vote.active.is_(True),
        )
        .cte("channel_votes")
    )
    if not period:
        channel_votes = channel_votes.prefix_with("MATERIALIZED", dialect="postgresql")
    # The blind answers of these rounds; a vote on a blind round's post counts when its author
    # is among them. (Asked of the blind_answers table, PostgreSQL would rather hash all of it.)
    private_answers = (
        select(
            BlindAnswer.round_id,
            BlindAnswer.user_id,
            epoch_seconds(BlindAnswer.submitted_at).label("at"),
        )
        .join(scoring, BlindAnswer.round_id == scoring.c.id)
        .cte("private_answers")
    )
    answered_privately = exists().where(
        private_answers.c.round_id == replies.c.round_id,
        private_answers.c.user_id == replies.c.user_id,
    )
    posts = select(
        replies.c.round_id,
        replies.c.user_id,
        (replies.c.blind.is_(False)).label("answered"),
        case((replies.c.blind.is_(False), slack_seconds(replies.c.ts))).label("at"),
        case((or_(replies.c.blind.is_(False), answered_privately), channel_votes.c.voter_id)).label(
            "voter"
        ),
    ).outerjoin(
        channel_votes,
        and_(
            channel_votes.c.message_ts == replies.c.ts,
            channel_votes.c.voter_id != replies.c.user_id,  # not the author's own
        ),
    )
    private = select(
        private_answers.c.round_id,
        private_answers.c.user_id,
        true().label("answered"),
        private_answers.c.at,
        null().label("voter"),
    )
    answers = union_all(posts, private).subquery("counted")
    rounds_answered = func.count(func.distinct(case((answers.c.answered, answers.c.round_id))))
    return (
        select(
            answers.c.user_id, rounds_answered, func.count(answers.c.voter), func.min(answers.c.at)
        )
        .group_by(answers.c.user_id)
        .having(rounds_answered > 0)  # not those whose only posts are a blind round's copies
    )
