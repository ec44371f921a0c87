"""The daily round: claim and post the question, reveal it at the deadline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot import render
from bot.questions import Question, QuestionBank
from bot.schedule import DEFAULT_ANSWER_WINDOW, Schedule, parse_time
from storage import queries
from storage.models import ChannelSchedule, Round

log = logging.getLogger(__name__)

ClientFor = Callable[[str], WebClient]
NOT_A_MEMBER = ("not_in_channel", "channel_not_found", "is_archived")


def schedule_of(row: ChannelSchedule | None) -> Schedule | None:
    """The parsed schedule stored for a channel."""
    if row is None:
        return None
    reveal_after = timedelta(minutes=row.reveal_after_minutes) if row.reveal_after_minutes else None
    return Schedule(
        post_time=parse_time(row.post_time),  # type: ignore[arg-type]
        timezone=row.timezone,
        days=row.days,
        reveal_time=parse_time(row.reveal_time) if row.reveal_time else None,
        reveal_after=reveal_after,
        holidays=row.holidays,
        categories=tuple(_categories(row)),
    )


@dataclass(frozen=True)
class Started:
    round_id: int
    message_ts: str
    question: Question
    reveal_at: datetime


@dataclass(frozen=True)
class AlreadyOpen:
    message_ts: str | None


@dataclass(frozen=True)
class AlreadyClaimed:
    """Another process (or an earlier run) already claimed this slot."""


@dataclass(frozen=True)
class NotInChannel:
    error: str


@dataclass(frozen=True)
class PostFailed:
    error: str


StartOutcome = Started | AlreadyOpen | AlreadyClaimed | NotInChannel | PostFailed


@dataclass(frozen=True)
class Revealed:
    round_id: int
    participants: int


class RoundService:
    """Starts and reveals rounds; shared by the slash command, the clock and the demo."""

    def __init__(self, sessions: sessionmaker[Session], bank: QuestionBank, client_for: ClientFor):
        self.sessions = sessions
        self.bank = bank
        self.client_for = client_for

    # -- start ----------------------------------------------------------------------------------

    def start(
        self,
        team_id: str,
        channel_id: str,
        now: datetime,
        *,
        scheduled_date: date | None = None,
        category: str | None = None,
    ) -> StartOutcome:
        """Claim a round, then post its question. `scheduled_date` marks the clock's daily slot."""
        with self.sessions.begin() as session:
            row = queries.get_schedule(session, team_id, channel_id)
            schedule = schedule_of(row)
            timezone = schedule.timezone if schedule else "UTC"
            if scheduled_date is None:
                current = queries.open_round(session, team_id, channel_id)
                if current is not None:
                    return AlreadyOpen(current.message_ts)
            local_date = scheduled_date or now.astimezone(ZoneInfo(timezone)).date()
            categories = [category] if category else _categories(row)
            history = queries.question_history(session, team_id, channel_id)
            question = self.bank.pick_next(history, categories or None)
            sequence = (
                0
                if scheduled_date is not None
                else queries.next_sequence(session, team_id, channel_id, local_date)
            )
            round_id = queries.claim_round(
                session,
                team_id=team_id,
                channel_id=channel_id,
                local_date=local_date,
                sequence=sequence,
                question_id=question.id,
                now=now,
            )
            if round_id is None:
                return AlreadyClaimed() if scheduled_date else AlreadyOpen(None)
            reveal_at = schedule.reveal_deadline(now) if schedule else now + DEFAULT_ANSWER_WINDOW
            rnd = session.get_one(Round, round_id)
            rnd.reveal_at = reveal_at
            vote_emoji = row.vote_emoji if row else "+1"

        post = render.QuestionPost(question, reveal_at, timezone, vote_emoji)
        text, blocks = render.question_message(post)
        try:
            response = self.client_for(team_id).chat_postMessage(
                channel=channel_id, text=text, blocks=blocks, unfurl_links=False
            )
        except Exception as exc:  # Slack said no, or the connection failed after retries
            error = _slack_error(exc)
            self._mark_failed(round_id, error)
            log.warning(
                "round post failed",
                extra={"team": team_id, "channel": channel_id, "round": round_id, "error": error},
            )
            return NotInChannel(error) if error in NOT_A_MEMBER else PostFailed(error)

        message_ts = str(response["ts"])
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, round_id)
            rnd.message_ts = message_ts
            rnd.posted_at = now
            rnd.status = "open"
        log.info(
            "round posted",
            extra={
                "team": team_id,
                "channel": channel_id,
                "round": round_id,
                "question": question.id,
            },
        )
        return Started(round_id, message_ts, question, reveal_at)

    def skip(self, team_id: str, channel_id: str, local_date: date, now: datetime) -> bool:
        """Record that the day's post was missed (bot down too long); True the first time."""
        with self.sessions.begin() as session:
            round_id = queries.claim_round(
                session,
                team_id=team_id,
                channel_id=channel_id,
                local_date=local_date,
                sequence=0,
                question_id="-",
                now=now,
                status="skipped",
            )
        return round_id is not None

    def _mark_failed(self, round_id: int, error: str) -> None:
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, round_id)
            rnd.status = "failed"
            rnd.error = error

    # -- reveal ---------------------------------------------------------------------------------

    def reveal_open(self, team_id: str, channel_id: str, now: datetime) -> Revealed | None:
        """Reveal the channel's open round now; None if there is none."""
        with self.sessions.begin() as session:
            rnd = queries.open_round(session, team_id, channel_id)
            round_id = rnd.id if rnd is not None and rnd.status == "open" else None
        return self.reveal(round_id, now) if round_id is not None else None

    def reveal(self, round_id: int, now: datetime) -> Revealed | None:
        """Post the reveal in the thread and close the question; exactly once per round."""
        with self.sessions.begin() as session:
            if not queries.claim_reveal(session, round_id, now):
                return None
            rnd = session.get_one(Round, round_id)
            row = queries.get_schedule(session, rnd.team_id, rnd.channel_id)
            vote_emoji = row.vote_emoji if row else "+1"
            answers = queries.counted_answers(session, rnd)
            voters = queries.voters_by_answer(session, answers)
            team_id, channel_id, message_ts = rnd.team_id, rnd.channel_id, rnd.message_ts
            question = self.bank.get(rnd.question_id)

        participants = list(dict.fromkeys(a.user_id for a in answers))
        best = max((len(v) for v in voters.values()), default=0)
        top = [
            render.RevealedAnswer(a.user_id, a.text, best)
            for a in answers
            if best > 0 and len(voters[a.ts]) == best
        ]
        if question is None:  # removed from the bank since it was asked
            question = Question(
                id="?",
                category="unknown",
                question="(question no longer in the bank)",
                rationale="-",
                sample_answer="-",
            )
        try:
            client = self.client_for(team_id)
            text, blocks = render.reveal_message(question, participants, top, vote_emoji)
            reply = client.chat_postMessage(
                channel=channel_id, thread_ts=message_ts, text=text, blocks=blocks
            )
        except Exception as exc:
            error = _slack_error(exc)
            gone = error in NOT_A_MEMBER  # removed from the channel: retrying will not help
            log.warning(
                "reveal failed" + ("" if gone else "; will retry next minute"),
                extra={"channel": channel_id, "round": round_id, "error": error},
            )
            with self.sessions.begin() as session:
                rnd = session.get_one(Round, round_id)
                if gone:
                    rnd.status, rnd.error = "failed", error
                else:
                    rnd.status, rnd.revealed_at = "open", None
            return None
        with self.sessions.begin() as session:
            session.get_one(Round, round_id).reveal_ts = str(reply["ts"])
        try:
            text, blocks = render.closed_question_message(question, len(participants))
            client.chat_update(channel=channel_id, ts=message_ts, text=text, blocks=blocks)
        except Exception as exc:  # the reveal is out; a stale question message is cosmetic
            log.warning(
                "could not mark the question closed",
                extra={"channel": channel_id, "round": round_id, "error": _slack_error(exc)},
            )
        log.info(
            "round revealed",
            extra={
                "team": team_id,
                "channel": channel_id,
                "round": round_id,
                "answers": len(participants),
            },
        )
        return Revealed(round_id, len(participants))


def _slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "unknown_error"))
    return type(exc).__name__


def _categories(row: ChannelSchedule | None) -> list[str]:
    if row is None or not row.categories:
        return []
    return [c for c in row.categories.split(",") if c]


def utcnow() -> datetime:
    return datetime.now(UTC)
