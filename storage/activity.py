"""A channel's activity for stats and leaderboards: counted rounds, answers and votes.

Only rows that count are returned, following the rules of `storage.rounds.counted_answers` and
`storage.votes.voters_by_answer`:

- a round counts when it was posted (message_ts set) and is open or revealed;
- an answer counts when it is not deleted and its ts is before the round's reveal; a blind
  answer (`BlindAnswer`) always counts, with its submission time as its ts;
- a vote counts when it is active, is on a counted answer (any answer of a blind round: those
  are the reveal's own posts), and is not the author's own.

Queries only: the caller owns the session and its transaction; nothing here commits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from storage.blind import BlindAnswer
from storage.channels import ChannelSchedule
from storage.rounds import Answer, Round
from storage.states import AnswerMode, RoundStatus
from storage.votes import Vote

COUNTED_STATUSES = (RoundStatus.OPEN, RoundStatus.REVEALED, RoundStatus.REVEAL_FAILED)
DEFAULT_TIMEZONE = "UTC"


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
    """A counted answer; for a blind answer `ts` is its submission time in Slack ts format."""

    round_id: int
    user_id: str
    ts: str


@dataclass(frozen=True)
class VoteRow:
    """A counted vote by `voter_id` on a counted answer written by `author_id`."""

    round_id: int
    author_id: str
    voter_id: str


@dataclass(frozen=True)
class ChannelActivity:
    rounds: list[RoundRow]  # ordered by (local_date, sequence)
    answers: list[AnswerRow]  # ordered by (round_id, ts)
    votes: list[VoteRow]
    timezone: str  # the channel's time zone; UTC when it has none


def _cutoff(revealed_at: datetime | None, mode: str) -> float:
    """A reply counts when its ts is before this: the reveal, or never for blind and open rounds
    (a blind round's replies are the reveal's own posts)."""
    if revealed_at is None or mode == AnswerMode.BLIND:
        return math.inf
    return revealed_at.timestamp()


def blind_ts(submitted_at: datetime) -> str:
    """A blind answer's submission time written like a Slack ts (epoch seconds)."""
    return f"{submitted_at.timestamp():.6f}"


def channel_activity(session: Session, team_id: str, channel_id: str) -> ChannelActivity:
    """Everything that counts in one channel of one workspace (five queries, each through an
    index). The reveal cutoff compares a Slack ts (a string) with a datetime, so it is applied
    here, exactly as storage.rounds.counted_answers does: once per round, not once per reply."""
    counted_round = and_(
        Round.team_id == team_id,
        Round.channel_id == channel_id,
        Round.message_ts.is_not(None),
        Round.status.in_(COUNTED_STATUSES),
    )
    timezone = session.execute(
        select(ChannelSchedule.timezone).where(
            ChannelSchedule.team_id == team_id, ChannelSchedule.channel_id == channel_id
        )
    ).scalar_one_or_none()
    rounds, cutoffs = _rounds(session, counted_round)
    return ChannelActivity(
        rounds=rounds,
        answers=_answers(session, counted_round, cutoffs),
        votes=_votes(session, counted_round, cutoffs),
        timezone=timezone or DEFAULT_TIMEZONE,
    )


def _rounds(
    session: Session, counted_round: ColumnElement[bool]
) -> tuple[list[RoundRow], dict[int, float]]:
    round_rows = session.execute(
        select(
            Round.id,
            Round.local_date,
            Round.sequence,
            Round.kind,
            Round.status,
            Round.question_id,
            Round.revealed_at,
            Round.mode,
        )
        .where(counted_round)
        .order_by(Round.local_date, Round.sequence, Round.id)
    ).all()
    rounds = [RoundRow(*row[:7]) for row in round_rows]
    cutoffs = {row.id: _cutoff(row.revealed_at, row.mode) for row in round_rows}
    return rounds, cutoffs


def _answers(
    session: Session, counted_round: ColumnElement[bool], cutoffs: dict[int, float]
) -> list[AnswerRow]:
    answers = [
        AnswerRow(round_id, user_id, ts)
        for round_id, user_id, ts in session.execute(
            select(Answer.round_id, Answer.user_id, Answer.ts)
            .join(Round, Answer.round_id == Round.id)
            .where(counted_round, Answer.deleted.is_(False), Round.mode != AnswerMode.BLIND)
        )
        if float(ts) < cutoffs[round_id]
    ]
    # Blind answers count from their private submission; the reveal's posted copies (Answer rows,
    # skipped above) only carry the votes.
    blind_rows = session.execute(
        select(BlindAnswer.round_id, BlindAnswer.user_id, BlindAnswer.submitted_at)
        .join(Round, BlindAnswer.round_id == Round.id)
        .where(counted_round)
    ).all()
    for round_id, user_id, submitted_at in blind_rows:
        answers.append(AnswerRow(round_id, user_id, blind_ts(submitted_at)))
    answers.sort(key=lambda a: (a.round_id, float(a.ts), a.user_id))
    return answers


def _votes(
    session: Session, counted_round: ColumnElement[bool], cutoffs: dict[int, float]
) -> list[VoteRow]:
    # No ORDER BY: nothing reads the votes in order, and sorting every vote of a channel's
    # history was most of the query's time.
    vote_rows = session.execute(
        select(Answer.round_id, Answer.user_id, Vote.voter_id, Answer.ts)
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
            counted_round,
            Answer.deleted.is_(False),
            Vote.active.is_(True),
            Vote.voter_id != Answer.user_id,
        )
    )
    return [
        VoteRow(round_id, author_id, voter_id)
        for round_id, author_id, voter_id, ts in vote_rows
        if float(ts) < cutoffs[round_id]
    ]
