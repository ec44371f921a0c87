"""A channel's activity for stats and leaderboards: counted rounds, answers and votes.

Only rows that count are returned, following the rules of `storage.rounds.counted_answers` and
`storage.votes.voters_by_answer`:

- a round counts when it was posted (message_ts set) and is open or revealed;
- an answer counts when it is not deleted and its ts is before the round's reveal; a blind
  answer (`BlindAnswer`) always counts, with its submission time as its ts;
- a vote counts when it is active, is on a counted answer, and is not the author's own.

Queries only: the caller owns the session and its transaction; nothing here commits.
"""

from __future__ import annotations

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


def _before_reveal(ts: str, revealed_at: datetime | None) -> bool:
    return revealed_at is None or float(ts) < revealed_at.timestamp()


def blind_ts(submitted_at: datetime) -> str:
    """A blind answer's submission time written like a Slack ts (epoch seconds)."""
    return f"{submitted_at.timestamp():.6f}"


def channel_activity(session: Session, team_id: str, channel_id: str) -> ChannelActivity:
    """Everything that counts in one channel of one workspace (five queries)."""
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
    return ChannelActivity(
        rounds=_rounds(session, counted_round),
        answers=_answers(session, counted_round),
        votes=_votes(session, counted_round),
        timezone=timezone or DEFAULT_TIMEZONE,
    )


def _rounds(session: Session, counted_round: ColumnElement[bool]) -> list[RoundRow]:
    round_rows = session.execute(
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
    ).all()
    return [RoundRow(*row) for row in round_rows]


def _answers(session: Session, counted_round: ColumnElement[bool]) -> list[AnswerRow]:
    # Thread replies; the reveal cutoff compares Slack ts (a string) with a datetime, so it is
    # applied here, exactly as storage.rounds.counted_answers does.
    answers: list[AnswerRow] = []
    answer_rows = session.execute(
        select(Answer.round_id, Answer.user_id, Answer.ts, Round.revealed_at)
        .join(Round, Answer.round_id == Round.id)
        .where(counted_round, Answer.deleted.is_(False), Round.mode != AnswerMode.BLIND)
    ).all()
    for round_id, user_id, ts, revealed_at in answer_rows:
        if _before_reveal(ts, revealed_at):
            answers.append(AnswerRow(round_id, user_id, ts))
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


def _votes(session: Session, counted_round: ColumnElement[bool]) -> list[VoteRow]:
    votes: list[VoteRow] = []
    vote_rows = session.execute(
        select(
            Answer.round_id, Answer.user_id, Vote.voter_id, Answer.ts, Round.revealed_at, Round.mode
        )
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
        .order_by(Answer.round_id, Answer.ts, Vote.voter_id)
    ).all()
    for round_id, author_id, voter_id, ts, revealed_at, mode in vote_rows:
        if mode == AnswerMode.BLIND or _before_reveal(ts, revealed_at):
            votes.append(VoteRow(round_id, author_id, voter_id))
    return votes
