"""Rounds: claim and post a question, collect blind answers, remind, reveal at the deadline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot import render
from bot.library import QuestionLibrary
from bot.questions import Question, QuestionBank
from bot.schedule import DEFAULT_ANSWER_WINDOW, Schedule, parse_time
from storage import queries
from storage.models import ChannelSchedule, Round

log = logging.getLogger(__name__)

ClientFor = Callable[[str], WebClient]
NOT_A_MEMBER = ("not_in_channel", "channel_not_found", "is_archived")
# Slack answered, and trying again will not change its mind (unlike ratelimited, 5xx answers).
PERMANENT = (
    *NOT_A_MEMBER,
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "missing_scope",
    "team_access_not_granted",
    "LookupError",  # the workspace uninstalled the app
)
MISSING_QUESTION = Question(
    id="?",
    category="unknown",
    question="(this question is no longer in the bank)",
    rationale="-",
    sample_answer="-",
)


def schedule_of(row: ChannelSchedule | None) -> Schedule | None:
    """The parsed schedule stored for a channel; None without a daily question."""
    if row is None or row.post_time is None or row.timezone is None:
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


@dataclass(frozen=True)
class BlindAnswerSaved:
    answers_so_far: int
    changed: bool  # an earlier answer of the same person was replaced


@dataclass(frozen=True)
class RoundClosed:
    """The round was revealed (or is not a blind round): no more private answers."""


class RoundService:
    """Starts, reminds and reveals rounds; shared by the slash command, the clock and the demo."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        library: QuestionLibrary | QuestionBank,
        client_for: ClientFor,
    ) -> None:
        self.sessions = sessions
        # A bare bank (tests, tools) works too: the workspace's added questions come on top.
        self.library = (
            library if isinstance(library, QuestionLibrary) else QuestionLibrary(sessions, library)
        )
        self.client_for = client_for

    # -- start ----------------------------------------------------------------------------------

    def start(
        self,
        team_id: str,
        channel_id: str,
        now: datetime,
        *,
        scheduled_date: date | None = None,
        bank: QuestionBank | None = None,
        question_id: str | None = None,
        kind: str = "daily",
        started_by: str | None = None,
    ) -> StartOutcome:
        """Claim a round, then post its question.

        The clock passes `scheduled_date` (the day's slot, sequence 0). `/interview now` takes the
        day's slot if it is still free, so the clock won't post a second question that day.
        Practice rounds never take the slot and may run beside the daily round."""
        filtered = bank is not None  # the caller chose the category: channel categories yield
        bank = bank or self.library.for_team(team_id)
        with self.sessions.begin() as session:
            row = queries.get_schedule(session, team_id, channel_id)
            schedule = schedule_of(row)
            timezone = schedule.timezone if schedule else "UTC"
            if kind == "daily" and scheduled_date is None:
                current = queries.open_round(session, team_id, channel_id)
                if current is not None:
                    return AlreadyOpen(current.message_ts)
            if kind == "practice" and question_id is not None:
                same = queries.open_round(
                    session, team_id, channel_id, kind="practice", question_id=question_id
                )
                if same is not None:
                    return AlreadyOpen(same.message_ts)
            local_date = scheduled_date or now.astimezone(ZoneInfo(timezone)).date()
            if question_id is not None:
                question = bank.get(question_id)
                if question is None:
                    raise ValueError(f"unknown question {question_id!r}")
            else:
                history = queries.question_history(session, team_id, channel_id)
                categories = list(schedule.categories) if schedule and not filtered else None
                question = bank.pick_next(history, categories or None)
            if (
                scheduled_date is not None
                or kind == "daily"
                and not queries.round_exists(session, team_id, channel_id, local_date)
            ):
                sequence = 0
            else:
                sequence = max(1, queries.next_sequence(session, team_id, channel_id, local_date))
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
            rnd.reveal_at, rnd.kind, rnd.started_by = reveal_at, kind, started_by
            rnd.mode = row.mode if row else "open"
            post = render.QuestionPost(
                question,
                reveal_at,
                timezone,
                vote_emoji=row.vote_emoji if row else "+1",
                round_id=round_id,
                practice=kind == "practice",
                blind=rnd.mode == "blind",
            )

        client = None
        try:
            client = self.client_for(team_id)
            text, blocks = render.question_message(post)
            response = client.chat_postMessage(
                channel=channel_id, text=text, blocks=blocks, unfurl_links=False
            )
        except Exception as exc:  # Slack said no, or the connection failed after retries
            error = _slack_error(exc)
            # Slack refused for now (e.g. an outage): nothing was posted, so the clock may try
            # again within its grace period. A lost connection is ambiguous: never risk twice.
            retry = (
                scheduled_date is not None
                and isinstance(exc, SlackApiError)
                and error not in PERMANENT
            )
            if retry:
                self._release(round_id)
            else:
                self._mark_failed(round_id, error)
            log.warning(
                "round post failed" + ("; will retry next minute" if retry else ""),
                extra={"team": team_id, "channel": channel_id, "round": round_id, "error": error},
            )
            return NotInChannel(error) if error in NOT_A_MEMBER else PostFailed(error)

        message_ts = str(response["ts"])
        counter_ts = None
        if post.blind:
            counter_ts = self._post_quietly(
                client, channel_id, message_ts, render.blind_counter_message(0, reveal_at, timezone)
            )
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, round_id)
            rnd.message_ts, rnd.posted_at, rnd.status = message_ts, now, "open"
            rnd.counter_ts = counter_ts
        log.info(
            "round posted",
            extra={
                "team": team_id,
                "channel": channel_id,
                "round": round_id,
                "kind": kind,
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

    def _release(self, round_id: int) -> None:
        with self.sessions.begin() as session:
            session.delete(session.get_one(Round, round_id))

    def _mark_failed(self, round_id: int, error: str) -> None:
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, round_id)
            rnd.status = "failed"
            rnd.error = error

    def _post_quietly(
        self, client: WebClient, channel_id: str, thread_ts: str, message: render.Message
    ) -> str | None:
        """Post a secondary message in a thread; its failure must not fail the round."""
        text, blocks = message
        try:
            reply = client.chat_postMessage(
                channel=channel_id, thread_ts=thread_ts, text=text, blocks=blocks
            )
        except Exception as exc:
            log.warning(
                "thread message failed", extra={"channel": channel_id, "error": _slack_error(exc)}
            )
            return None
        return str(reply["ts"])

    # -- blind answers and reminders ------------------------------------------------------------

    def submit_blind_answer(
        self, team_id: str, round_id: int, user_id: str, text: str, now: datetime
    ) -> BlindAnswerSaved | RoundClosed:
        """Store a private answer, replacing the person's earlier one (quick: no Slack calls)."""
        with self.sessions.begin() as session:
            rnd = session.get(Round, round_id)
            if rnd is None or rnd.team_id != team_id or rnd.status != "open" or rnd.mode != "blind":
                return RoundClosed()
            changed = queries.blind_answer(session, round_id, user_id) is not None
            queries.save_blind_answer(
                session, round_id=round_id, team_id=team_id, user_id=user_id, text=text, now=now
            )
            count = len(queries.blind_answers(session, round_id))
        return BlindAnswerSaved(count, changed)

    def refresh_blind_counter(self, team_id: str, round_id: int) -> None:
        """Update the thread's "N answers so far" message to the current count."""
        with self.sessions.begin() as session:
            rnd = session.get(Round, round_id)
            if rnd is None or rnd.team_id != team_id:
                return
            count = len(queries.blind_answers(session, round_id))
            team_id, channel_id, counter_ts, reveal_at = (
                rnd.team_id,
                rnd.channel_id,
                rnd.counter_ts,
                rnd.reveal_at,
            )
            timezone = self._timezone(session, team_id, channel_id)
        if counter_ts is None or reveal_at is None:
            return
        text, blocks = render.blind_counter_message(count, reveal_at, timezone)
        try:
            self.client_for(team_id).chat_update(
                channel=channel_id, ts=counter_ts, text=text, blocks=blocks
            )
        except Exception as exc:  # the answer is saved; the count catches up next time
            log.warning(
                "counter update failed", extra={"round": round_id, "error": _slack_error(exc)}
            )

    def current_blind_answer(self, team_id: str, round_id: int, user_id: str) -> str | None:
        with self.sessions.begin() as session:
            rnd = session.get(Round, round_id)
            if rnd is None or rnd.team_id != team_id:
                return None
            answer = queries.blind_answer(session, round_id, user_id)
            return answer.text if answer else None

    def question_of(self, team_id: str, round_id: int) -> str | None:
        with self.sessions.begin() as session:
            rnd = session.get(Round, round_id)
            return rnd.question_id if rnd is not None and rnd.team_id == team_id else None

    def is_open_blind(self, team_id: str, round_id: int) -> bool:
        with self.sessions.begin() as session:
            rnd = session.get(Round, round_id)
            return bool(
                rnd and rnd.team_id == team_id and rnd.status == "open" and rnd.mode == "blind"
            )

    def remind(self, round_id: int, now: datetime) -> bool:
        """Post the one reminder of a round in its thread: how many answered, when the reveal is.
        No mentions of people who have not answered."""
        with self.sessions.begin() as session:
            if not queries.claim_reminder(session, round_id, now):
                return False
            rnd = session.get_one(Round, round_id)
            if rnd.mode == "blind":
                count = len(queries.blind_answers(session, round_id))
            else:
                count = len({a.user_id for a in queries.counted_answers(session, rnd)})
            timezone = self._timezone(session, rnd.team_id, rnd.channel_id)
            team_id, channel_id, message_ts = rnd.team_id, rnd.channel_id, rnd.message_ts
            reveal_at = rnd.reveal_at
        assert reveal_at is not None and message_ts is not None
        client = self.client_for(team_id)
        message = render.reminder_message(count, reveal_at, timezone)
        posted = self._post_quietly(client, channel_id, message_ts, message) is not None
        log.info(
            "reminder posted",
            extra={"channel": channel_id, "round": round_id, "answers": count, "ok": posted},
        )
        return posted

    @staticmethod
    def _timezone(session: Session, team_id: str, channel_id: str) -> str:
        row = queries.get_schedule(session, team_id, channel_id)
        return (row.timezone if row else None) or "UTC"

    # -- reveal ---------------------------------------------------------------------------------

    def reveal_open(self, team_id: str, channel_id: str, now: datetime) -> Revealed | None:
        """Reveal the channel's open daily round now, else its newest practice round."""
        with self.sessions.begin() as session:
            rnd = queries.open_round(session, team_id, channel_id) or queries.open_round(
                session, team_id, channel_id, kind=None
            )
            round_id = rnd.id if rnd is not None and rnd.status == "open" else None
        return self.reveal(round_id, now) if round_id is not None else None

    def may_reveal(self, team_id: str, round_id: int, user_id: str) -> bool:
        """The person who posted a practice question may reveal it (admins always may)."""
        with self.sessions.begin() as session:
            rnd = session.get(Round, round_id)
            return bool(rnd and rnd.team_id == team_id and rnd.started_by == user_id)

    def reveal(self, round_id: int, now: datetime, team_id: str | None = None) -> Revealed | None:
        """Post the reveal in the thread and close the question; exactly once per round.
        A button passes its workspace, so a forged round id can't reach another workspace."""
        with self.sessions.begin() as session:
            if not queries.claim_reveal(session, round_id, now, team_id):
                return None
            rnd = session.get_one(Round, round_id)
            team_id, channel_id, message_ts = rnd.team_id, rnd.channel_id, rnd.message_ts
            blind = rnd.mode == "blind"
            question_id, kind = rnd.question_id, rnd.kind
            row = queries.get_schedule(session, team_id, channel_id)
            vote_emoji = row.vote_emoji if row else "+1"
            private = [(b.user_id, b.text) for b in queries.blind_answers(session, round_id)]
        question = self.library.for_team(team_id).get(question_id) or MISSING_QUESTION
        assert message_ts is not None
        try:
            client = self.client_for(team_id)
            if blind:
                self._post_blind_answers(
                    client,
                    rnd_id=round_id,
                    team_id=team_id,
                    channel_id=channel_id,
                    thread_ts=message_ts,
                    answers=private,
                    now=now,
                )
            with self.sessions.begin() as session:
                rnd = session.get_one(Round, round_id)
                answers = queries.counted_answers(session, rnd)
                voters = queries.voters_by_answer(session, answers)
            participants = list(dict.fromkeys(a.user_id for a in answers))
            best = max((len(v) for v in voters.values()), default=0)
            top = [
                render.RevealedAnswer(a.user_id, a.text, best)
                for a in answers
                if not blind and best > 0 and len(voters[a.ts]) == best
            ]
            text, blocks = render.reveal_message(
                question, participants, top, vote_emoji, blind=blind
            )
            reply = client.chat_postMessage(
                channel=channel_id, thread_ts=message_ts, text=text, blocks=blocks
            )
        except Exception as exc:
            error = _slack_error(exc)
            gone = error in PERMANENT  # e.g. removed from the channel: retrying will not help
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
            text, blocks = render.closed_question_message(
                question, len(participants), practice=kind == "practice"
            )
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

    def _post_blind_answers(
        self,
        client: WebClient,
        *,
        rnd_id: int,
        team_id: str,
        channel_id: str,
        thread_ts: str,
        answers: list[tuple[str, str]],
        now: datetime,
    ) -> None:
        """Post each private answer in the thread, attributed, and record it as an answer so
        votes on it count. An answer already posted (a retried reveal) is not posted again."""
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, rnd_id)
            done = {a.user_id for a in queries.counted_answers(session, rnd)}
        for user_id, text in answers:
            if user_id in done:
                continue
            message_text, blocks = render.blind_answer_message(user_id, text)
            reply = client.chat_postMessage(
                channel=channel_id, thread_ts=thread_ts, text=message_text, blocks=blocks
            )
            with self.sessions.begin() as session:
                queries.upsert_answer(
                    session,
                    round_id=rnd_id,
                    team_id=team_id,
                    channel_id=channel_id,
                    ts=str(reply["ts"]),
                    user_id=user_id,
                    text=text,
                    version=str(reply["ts"]),
                    now=now,
                )


def _slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "unknown_error"))
    return type(exc).__name__


def _categories(row: ChannelSchedule | None) -> list[str]:
    if row is None or not row.categories:
        return []
    return [c for c in row.categories.split(",") if c]
