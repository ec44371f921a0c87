"""Rounds: claim a slot, post the question, and reveal at the deadline, exactly once each.

Three ways to start a round share one path: the clock's scheduled post (the day's slot,
sequence 0), `/interview now` (the day's slot if still free, else the next sequence) and a
practice question posted from a card (never the day's slot; may run beside the daily round)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.schedule import (
    DEFAULT_ANSWER_WINDOW,
    MIN_ANSWER_WINDOW,
    MIN_UNSCHEDULED_WINDOW,
)
from bot.channels.service import schedule_of
from bot.questions.bank import Question, QuestionBank
from bot.questions.library import QuestionLibrary
from bot.rounds import render
from bot.rounds.reveal import MISSING_QUESTION, Reveals
from bot.slack.clients import ClientFor
from bot.slack.errors import NOT_A_MEMBER, is_ambiguous, is_transient, slack_error
from bot.slack.people import display_name
from bot.slack.posting import find_marked, marker, post_quietly
from storage import blind as blind_store
from storage import channels as channel_store
from storage import rounds as round_store
from storage.questions import author as question_author
from storage.rounds import Round
from storage.states import DEFAULT_VOTE_EMOJI, AnswerMode, RoundKind, RoundStatus

log = logging.getLogger(__name__)


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
    retrying: bool = False  # the clock tries again next minute


class _Unconfirmed(Exception):
    """The post failed ambiguously and Slack could not be asked whether it landed."""

    def __init__(self, error: str, lookup: str) -> None:
        super().__init__(error)
        self.error, self.lookup = error, lookup


ROUND_POSTED = "interview_round_posted"


StartOutcome = Started | AlreadyOpen | AlreadyClaimed | NotInChannel | PostFailed


@dataclass(frozen=True)
class _Start:
    """What a caller asked for; the one start path reads it."""

    team_id: str
    channel_id: str
    now: datetime
    kind: RoundKind = RoundKind.DAILY
    scheduled_date: date | None = None  # the clock's slot
    bank: QuestionBank | None = None  # a filtered bank: the channel's categories yield
    question_id: str | None = None
    started_by: str | None = None


@dataclass(frozen=True)
class _Claimed:
    round_id: int
    post: render.QuestionPost


class RoundService(Reveals):
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

    def post_scheduled(
        self, team_id: str, channel_id: str, local_date: date, now: datetime
    ) -> StartOutcome:
        """The clock's post for the channel's day (sequence 0)."""
        return self._start(_Start(team_id, channel_id, now, scheduled_date=local_date))

    def start_now(
        self,
        team_id: str,
        channel_id: str,
        now: datetime,
        *,
        bank: QuestionBank | None = None,
        started_by: str | None = None,
    ) -> StartOutcome:
        """`/interview now`: takes the day's slot if it is still free, so the clock won't post a
        second question that day; refused while a daily round is open."""
        return self._start(_Start(team_id, channel_id, now, bank=bank, started_by=started_by))

    def start_practice(
        self, team_id: str, channel_id: str, question_id: str, now: datetime, started_by: str
    ) -> StartOutcome:
        """A practice question posted from a card; one open thread per question and channel."""
        request = _Start(
            team_id,
            channel_id,
            now,
            kind=RoundKind.PRACTICE,
            question_id=question_id,
            started_by=started_by,
        )
        return self._start(request)

    def _start(self, request: _Start) -> StartOutcome:
        """Claim a round, then post its question."""
        # The workspace's questions are read in their own session, before the claim's: a nested
        # session would hold two pooled connections at once, and the clock's parallel lanes
        # could then use up the pool waiting on each other.
        bank = request.bank or self.library.for_team(request.team_id)
        with self.sessions.begin() as session:
            claimed = self._claim(session, request, bank)
        if not isinstance(claimed, _Claimed):
            return claimed
        try:
            return self._post(request, claimed)
        except _Unconfirmed as unknown:  # maybe posted, maybe not: never risk a second post
            error = f"unconfirmed: {unknown.error} (lookup: {unknown.lookup})"
            with self.sessions.begin() as session:
                rnd = session.get_one(Round, claimed.round_id)
                rnd.status, rnd.error = RoundStatus.FAILED, error
            log.error(
                "round post unconfirmed; not retried",
                extra={"channel": request.channel_id, "round": claimed.round_id, "error": error},
            )
            return PostFailed(error)

    def _claim(
        self, session: Session, request: _Start, bank: QuestionBank
    ) -> _Claimed | StartOutcome:
        team_id, channel_id, now = request.team_id, request.channel_id, request.now
        open_now = self._already_open(session, request)
        if open_now is not None:
            return open_now
        row = channel_store.get_schedule(session, team_id, channel_id)
        schedule = schedule_of(row)
        timezone = schedule.timezone if schedule else "UTC"
        local_date = request.scheduled_date or now.astimezone(ZoneInfo(timezone)).date()
        categories = schedule.categories if schedule else ()
        question = self._choose_question(session, request, bank, categories)
        minimum = MIN_ANSWER_WINDOW if request.scheduled_date else MIN_UNSCHEDULED_WINDOW
        reveal_at = (
            schedule.reveal_deadline(now, minimum) if schedule else now + DEFAULT_ANSWER_WINDOW
        )
        mode = row.mode if row else AnswerMode.OPEN
        # One INSERT with everything: the claim holds the write lock for one statement.
        round_id = round_store.claim_round(
            session,
            team_id=team_id,
            channel_id=channel_id,
            local_date=local_date,
            sequence=self._sequence(session, request, local_date),
            question_id=question.id,
            now=now,
            reveal_at=reveal_at,
            kind=request.kind,
            mode=mode,
            started_by=request.started_by,
        )
        if round_id is None:
            return AlreadyClaimed() if request.scheduled_date else AlreadyOpen(None)
        post = render.QuestionPost(
            question,
            reveal_at,
            timezone,
            vote_emoji=row.vote_emoji if row else DEFAULT_VOTE_EMOJI,
            round_id=round_id,
            posted_by=request.started_by if request.kind == RoundKind.PRACTICE else None,
            added_by=question_author(session, team_id, question.id),
            practice=request.kind == RoundKind.PRACTICE,
            blind=mode == AnswerMode.BLIND,
            answered=0,
        )
        return _Claimed(round_id, post)

    @staticmethod
    def _already_open(session: Session, request: _Start) -> AlreadyOpen | None:
        team_id, channel_id = request.team_id, request.channel_id
        if request.kind == RoundKind.DAILY and request.scheduled_date is None:
            current = round_store.open_round(session, team_id, channel_id)
        elif request.kind == RoundKind.PRACTICE and request.question_id is not None:
            current = round_store.open_round(
                session,
                team_id,
                channel_id,
                kind=RoundKind.PRACTICE,
                question_id=request.question_id,
            )
        else:
            current = None
        return AlreadyOpen(current.message_ts) if current is not None else None

    @staticmethod
    def _choose_question(
        session: Session, request: _Start, bank: QuestionBank, channel_categories: tuple[str, ...]
    ) -> Question:
        if request.question_id is not None:
            question = bank.get(request.question_id)
            if question is None:
                raise ValueError(f"unknown question {request.question_id!r}")
            return question
        history = round_store.question_history(session, request.team_id, request.channel_id)
        # A caller's own filter wins over the channel's categories.
        categories = list(channel_categories) if request.bank is None else None
        return bank.pick_next(history, categories or None)

    @staticmethod
    def _sequence(session: Session, request: _Start, local_date: date) -> int:
        """0 is the day's slot; practice rounds and extra rounds take the next free number."""
        if request.scheduled_date is not None:
            return 0
        team_id, channel_id = request.team_id, request.channel_id
        if request.kind == RoundKind.DAILY and not round_store.round_exists(
            session, team_id, channel_id, local_date
        ):
            return 0
        return max(1, round_store.next_sequence(session, team_id, channel_id, local_date))

    def _post(self, request: _Start, claimed: _Claimed) -> StartOutcome:
        team_id, channel_id, round_id, post = (
            request.team_id,
            request.channel_id,
            claimed.round_id,
            claimed.post,
        )
        mark = marker(ROUND_POSTED, round_id=round_id)
        try:
            client = self.client_for(team_id)
            quiet = replace(post, names=_plain_names(client, post.credited()))
            text, blocks = render.question_message(quiet)
            response = client.chat_postMessage(
                channel=channel_id, text=text, blocks=blocks, unfurl_links=False, metadata=mark
            )
            message_ts = str(response["ts"])
        except Exception as exc:  # Slack said no, or the connection failed
            found = self._find_after_failure(request, claimed, exc)
            if found is None:
                return self._post_failed(request, round_id, exc)
            client, message_ts = self.client_for(team_id), found
        counter_ts = None
        if post.blind:
            counter = render.blind_counter_message(0, post.reveal_at, post.timezone)
            counter_ts = post_quietly(client, channel_id, counter, thread_ts=message_ts)
        # Saved at once, so answers in the thread count from the start. The mentions in the
        # credits come with the live count's next edit (within a pass of the clock): one
        # writer of the message, never a stale count over a newer one.
        with self.sessions.begin() as session:
            round_store.confirm_posted(
                session, round_id, message_ts, request.now, counter_ts, final=not post.credited()
            )
        if post.credited():
            self.refresh_counts(request.now, round_id)
        log.info(
            "round posted",
            extra={
                "team": team_id,
                "channel": channel_id,
                "round": round_id,
                "kind": request.kind,
                "question": post.question.id,
            },
        )
        return Started(round_id, message_ts, post.question, post.reveal_at)

    def _find_after_failure(self, request: _Start, claimed: _Claimed, exc: Exception) -> str | None:
        """After an ambiguous failure, look for the post's marker: Slack may have posted it.
        Raises Unconfirmed when Slack can't even be asked."""
        if not is_ambiguous(exc):
            return None
        mark = marker(ROUND_POSTED, round_id=claimed.round_id)
        oldest = request.now.timestamp() - 120
        try:
            return find_marked(
                self.client_for(request.team_id), request.channel_id, mark, oldest=oldest
            )
        except Exception as lookup:
            raise _Unconfirmed(slack_error(exc), slack_error(lookup)) from lookup

    def _post_failed(self, request: _Start, round_id: int, exc: Exception) -> StartOutcome:
        """Nothing was posted. The clock tries a transient refusal again next minute; a
        refused `now` or practice post gives its slot back, so the day's question still comes."""
        error = slack_error(exc)
        retry = request.scheduled_date is not None and is_transient(exc)
        release = retry or request.scheduled_date is None
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, round_id)
            if release:
                session.delete(rnd)
            else:
                rnd.status, rnd.error = RoundStatus.FAILED, error
            if request.scheduled_date is not None and error in NOT_A_MEMBER:
                # Removed from the channel (or it is gone): stop trying every day; admins see why
                # in the App Home and resume after inviting the bot again.
                channel_store.pause_for_problem(
                    session, request.team_id, request.channel_id, error, request.now
                )
        log.warning(
            "round post failed" + ("; will retry next minute" if retry else ""),
            extra={
                "team": request.team_id,
                "channel": request.channel_id,
                "round": round_id,
                "error": error,
            },
        )
        return NotInChannel(error) if error in NOT_A_MEMBER else PostFailed(error, retry)

    def recover_interrupted(self, round_id: int) -> bool:
        """A round whose process died between claim and saving the post: if Slack has the
        question (found by its marker), the round opens with it, so answers count; otherwise it
        stays failed. Never posted again."""
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, round_id)
            team_id, channel_id, claimed_at = rnd.team_id, rnd.channel_id, rnd.claimed_at
        mark = marker(ROUND_POSTED, round_id=round_id)
        oldest = claimed_at.timestamp() - 120
        try:
            found = find_marked(self.client_for(team_id), channel_id, mark, oldest=oldest)
        except Exception as exc:
            log.warning(
                "interrupted round: could not ask Slack",
                extra={"round": round_id, "error": slack_error(exc)},
            )
            return False
        if found is None:
            return False
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, round_id)
            if rnd.status == RoundStatus.FAILED and rnd.message_ts is None:
                rnd.status, rnd.message_ts, rnd.posted_at, rnd.error = (
                    RoundStatus.OPEN,
                    found,
                    claimed_at,
                    None,
                )
        log.info("interrupted round found posted; reopened", extra={"round": round_id})
        return True

    def skip(self, team_id: str, channel_id: str, local_date: date, now: datetime) -> bool:
        """Record that the day's post was missed (bot down too long); True the first time."""
        with self.sessions.begin() as session:
            round_id = round_store.claim_round(
                session,
                team_id=team_id,
                channel_id=channel_id,
                local_date=local_date,
                sequence=0,
                question_id="-",
                now=now,
                status=RoundStatus.SKIPPED,
            )
        return round_id is not None

    # -- reminders ------------------------------------------------------------------------------

    def remind(self, round_id: int, now: datetime) -> bool:
        """Post the one reminder of a round: how many answered, when the reveal is. It goes to
        the channel (a thread reply also sent to the channel, so it links to the thread) and
        mentions nobody."""
        with self.sessions.begin() as session:
            if not round_store.claim_reminder(session, round_id, now):
                return False
            rnd = session.get_one(Round, round_id)
            count = _answered(session, rnd)
            timezone = channel_store.timezone(session, rnd.team_id, rnd.channel_id)
            team_id, channel_id, message_ts = rnd.team_id, rnd.channel_id, rnd.message_ts
            reveal_at, blind = rnd.reveal_at, rnd.mode == AnswerMode.BLIND
        assert reveal_at is not None and message_ts is not None
        text, blocks = render.reminder_message(count, reveal_at, timezone, blind=blind)
        try:
            client = self.client_for(team_id)
        except LookupError:  # the workspace removed the app: nobody to remind
            log.info("reminder dropped: app removed", extra={"team": team_id, "round": round_id})
            return False
        try:
            client.chat_postMessage(
                channel=channel_id,
                thread_ts=message_ts,
                reply_broadcast=True,
                text=text,
                blocks=blocks,
            )
            posted = True
        except Exception as exc:  # a courtesy: the round goes on
            log.warning("reminder failed", extra={"channel": channel_id, "error": slack_error(exc)})
            posted = False
        log.info(
            "reminder posted",
            extra={"channel": channel_id, "round": round_id, "answers": count, "ok": posted},
        )
        return posted

    # -- the live count on the question -----------------------------------------------------------

    def refresh_counts(self, now: datetime, round_id: int | None = None) -> list[int]:
        """Bring "N answered so far" on open questions (or on the one `round_id`) up to date;
        the ids of rounds updated. Runs from the clock, never on the answer's path: one
        chat.update per changed round and pass, at most COUNT_UPDATES_PER_TEAM per workspace
        (chat.update allows about 50 a minute); a round Slack refused is tried again next
        pass. The same edit brings the mentions into a just-posted question's credits."""
        with self.sessions.begin() as session:
            changed = round_store.counts_to_show(session, round_id)
            plans = [self._count_plan(session, rnd, count) for rnd, count in changed]
        updated: list[int] = []
        per_team: Counter[str] = Counter()
        for team_id, channel_id, message_ts, round_id, count, post in plans:
            if per_team[team_id] >= COUNT_UPDATES_PER_TEAM:
                continue  # the rest next pass
            per_team[team_id] += 1
            text, blocks = render.question_message(post)
            try:
                self.client_for(team_id).chat_update(
                    channel=channel_id, ts=message_ts, text=text, blocks=blocks
                )
            except Exception as exc:
                log.info(
                    "live count not updated; next pass",
                    extra={"round": round_id, "error": slack_error(exc)},
                )
                if is_transient(exc):  # rate limited or Slack busy: leave this team alone
                    per_team[team_id] = COUNT_UPDATES_PER_TEAM
                continue
            with self.sessions.begin() as session:
                round_store.record_count_shown(session, round_id, count)
            updated.append(round_id)
        return updated

    def _count_plan(
        self, session: Session, rnd: Round, count: int
    ) -> tuple[str, str, str, int, int, render.QuestionPost]:
        row = channel_store.get_schedule(session, rnd.team_id, rnd.channel_id)
        question = self.library.find(rnd.team_id, rnd.question_id) or MISSING_QUESTION
        assert rnd.message_ts is not None and rnd.reveal_at is not None  # counts_to_show's rule
        post = render.QuestionPost(
            question,
            rnd.reveal_at,
            (row.timezone if row else None) or "UTC",
            vote_emoji=row.vote_emoji if row else DEFAULT_VOTE_EMOJI,
            round_id=rnd.id,
            # the same credits as the post, or the edit would drop them
            posted_by=rnd.started_by if rnd.kind == RoundKind.PRACTICE else None,
            added_by=question_author(session, rnd.team_id, rnd.question_id),
            practice=rnd.kind == RoundKind.PRACTICE,
            blind=rnd.mode == AnswerMode.BLIND,
            answered=count,
        )
        return rnd.team_id, rnd.channel_id, rnd.message_ts, rnd.id, count, post


COUNT_UPDATES_PER_TEAM = 20


def _answered(session: Session, rnd: Round) -> int:
    """People who answered the round so far."""
    if rnd.mode == AnswerMode.BLIND:
        return len(blind_store.blind_answers(session, rnd.id))
    return len({a.user_id for a in round_store.counted_answers(session, rnd)})


def _plain_names(client: WebClient, user_ids: list[str]) -> dict[str, str]:
    """How to name the credited people in a new message without a mention, which would notify
    them; the mentions are edited in afterwards."""
    return {user_id: display_name(client, user_id) or "a teammate" for user_id in user_ids}
