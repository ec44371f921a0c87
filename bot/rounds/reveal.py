"""The reveal: at the deadline (or when an admin or a practice question's poster asks), post
what the interviewer looks for, the sample answer, who answered and the top-voted answers in the
question's thread, and close the question; exactly once per round.

The reveal names people without notifying them: Slack notifies those mentioned in a new message,
not in an edit, so it is posted with plain names and the mentions are edited in. Only people who
asked for reveal pings (`/interview pings on`) and are not snoozed are mentioned from the start."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.questions.bank import Question
from bot.questions.library import QuestionLibrary
from bot.rounds import render
from bot.slack.blocks import Message
from bot.slack.clients import ClientFor
from bot.slack.errors import is_ambiguous, is_transient, slack_error
from bot.slack.people import display_name
from bot.slack.posting import edit_in_mentions, find_marked, marker
from storage import blind as blind_store
from storage import channels as channel_store
from storage import people_prefs
from storage import rounds as round_store
from storage import votes as vote_store
from storage.questions import author as question_author
from storage.rounds import Round
from storage.states import DEFAULT_VOTE_EMOJI, AnswerMode, RoundKind, RoundStatus

log = logging.getLogger(__name__)

MISSING_QUESTION = Question(
    id="?",
    category="unknown",
    question="(this question is no longer in the bank)",
    rationale="-",
    sample_answer="-",
)


@dataclass(frozen=True)
class Revealed:
    round_id: int
    participants: int


@dataclass(frozen=True)
class RevealFailed:
    error: str
    retrying: bool  # the clock tries again next minute; False: Slack refused for good


REVEAL = "interview_reveal"
BLIND_ANSWER = "interview_blind_answer"


class Reveals:
    """Reveals rounds; the round service (and so the clock and the slash command) has these."""

    sessions: sessionmaker[Session]
    library: QuestionLibrary
    client_for: ClientFor

    def reveal_open(
        self, team_id: str, channel_id: str, now: datetime
    ) -> Revealed | RevealFailed | None:
        """Reveal the channel's open daily round now, else its newest practice round."""
        with self.sessions.begin() as session:
            rnd = round_store.open_round(session, team_id, channel_id) or round_store.open_round(
                session, team_id, channel_id, kind=None
            )
            round_id = rnd.id if rnd is not None and rnd.status == RoundStatus.OPEN else None
        return self.reveal(round_id, now) if round_id is not None else None

    def may_reveal(self, team_id: str, round_id: int, user_id: str) -> bool:
        """The person who posted a practice question may reveal it (admins always may)."""
        found = self.poster_of(team_id, round_id)
        return found is not None and found[0] == user_id

    def poster_of(self, team_id: str, round_id: int) -> tuple[str | None, str] | None:
        """Who posted the round (None: the clock) and its channel; None when the workspace has
        no such round."""
        with self.sessions.begin() as session:
            rnd = session.get(Round, round_id)
            if rnd is None or rnd.team_id != team_id:
                return None
            return rnd.started_by, rnd.channel_id

    def reveal(
        self, round_id: int, now: datetime, team_id: str | None = None
    ) -> Revealed | RevealFailed | None:
        """Post the reveal in the thread and close the question; exactly once per round (None
        when it was revealed already). A button passes its workspace, so a forged round id
        can't reach another workspace. Every post carries a marker; a retry after a failed or
        interrupted attempt first looks in the thread for what already landed."""
        with self.sessions.begin() as session:
            if not round_store.claim_reveal(session, round_id, now, team_id):
                return None
            rnd = session.get_one(Round, round_id)
            private = [(b.user_id, b.text) for b in blind_store.blind_answers(session, round_id)]
            named = {a.user_id for a in round_store.counted_answers(session, rnd)}
            named |= {user_id for user_id, _ in private}
            # Only those who asked for reveal pings, and are not snoozed, are notified.
            pinged = people_prefs.reveal_pings_among(session, rnd.team_id, named)
            pinged -= people_prefs.snoozed_among(session, rnd.team_id, pinged, now)
            plan = _RevealPlan(
                round_id=round_id,
                team_id=rnd.team_id,
                channel_id=rnd.channel_id,
                message_ts=rnd.message_ts or "",
                blind=rnd.mode == AnswerMode.BLIND,
                question_id=rnd.question_id,
                posted_by=rnd.started_by if rnd.kind == RoundKind.PRACTICE else None,
                added_by=question_author(session, rnd.team_id, rnd.question_id),
                practice=rnd.kind == RoundKind.PRACTICE,
                private=private,
                retry=rnd.error is not None,
                pinged=frozenset(pinged),
            )
            row = channel_store.get_schedule(session, plan.team_id, plan.channel_id)
            vote_emoji = row.vote_emoji if row else DEFAULT_VOTE_EMOJI
        # also a team question edited or removed since: the round still shows it
        question = self.library.find(plan.team_id, plan.question_id) or MISSING_QUESTION
        try:
            client = self.client_for(plan.team_id)
            names = _Names(client, plan.pinged)
            landed = _already_in_thread(client, plan) if plan.retry else {}
            if plan.blind:
                self._post_blind_answers(client, plan, now, landed, names)
            participants, quiet, message = self._reveal_message(plan, question, vote_emoji, names)
            reveal_ts = landed.get(REVEAL) or _post_marked(
                client, plan, quiet, marker(REVEAL, round_id=round_id)
            )
        except Exception as exc:
            return self._reveal_failed(plan, exc)
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, round_id)
            rnd.reveal_ts, rnd.error = reveal_ts, None
        if quiet != message:
            _mention_quietly(client, plan, reveal_ts, message)
        self._close_question(client, plan, question, len(participants))
        log.info(
            "round revealed",
            extra={
                "team": plan.team_id,
                "channel": plan.channel_id,
                "round": round_id,
                "answers": len(participants),
            },
        )
        return Revealed(round_id, len(participants))

    def _reveal_message(
        self, plan: _RevealPlan, question: Question, vote_emoji: str, names: _Names
    ) -> tuple[list[str], Message, Message]:
        """(who answered, the reveal as first posted: plain names for those who don't want a
        ping, the reveal with every mention edited in)."""
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, plan.round_id)
            answers = round_store.counted_answers(session, rnd)
            voters = vote_store.voters_by_answer(session, answers)
        participants = list(dict.fromkeys(a.user_id for a in answers))
        best = max((len(v) for v in voters.values()), default=0)
        top = [
            render.RevealedAnswer(a.user_id, a.text, best)
            for a in answers
            if not plan.blind and best > 0 and len(voters[a.ts]) == best
        ]
        message = render.reveal_message(question, participants, top, vote_emoji, blind=plan.blind)
        quiet = render.reveal_message(
            question, participants, top, vote_emoji, blind=plan.blind, names=names.of(participants)
        )
        return participants, quiet, message

    def _reveal_failed(self, plan: _RevealPlan, exc: Exception) -> RevealFailed:
        """Slack busy or down: the clock tries again next minute (looking first at what landed).
        Slack refusing for good (not in the channel, token revoked, invalid blocks): the round
        stops retrying, stays counted in stats, and `python -m bot status` shows why."""
        error = slack_error(exc)
        retrying = is_transient(exc)
        log.warning(
            "reveal failed" + ("; will retry next minute" if retrying else "; not retried"),
            extra={"channel": plan.channel_id, "round": plan.round_id, "error": error},
        )
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, plan.round_id)
            rnd.error = error
            if retrying:
                rnd.status, rnd.revealed_at = RoundStatus.OPEN, None
            else:
                rnd.status = RoundStatus.REVEAL_FAILED
        return RevealFailed(error, retrying)

    @staticmethod
    def _close_question(
        client: WebClient, plan: _RevealPlan, question: Question, answered: int
    ) -> None:
        try:
            text, blocks = render.closed_question_message(
                question,
                answered,
                practice=plan.practice,
                posted_by=plan.posted_by,
                added_by=plan.added_by,
            )
            client.chat_update(
                channel=plan.channel_id, ts=plan.message_ts, text=text, blocks=blocks
            )
        except Exception as exc:  # the reveal is out; a stale question message is cosmetic
            log.warning(
                "could not mark the question closed",
                extra={
                    "channel": plan.channel_id,
                    "round": plan.round_id,
                    "error": slack_error(exc),
                },
            )

    def _post_blind_answers(
        self,
        client: WebClient,
        plan: _RevealPlan,
        now: datetime,
        landed: dict[str, str],
        names: _Names,
    ) -> None:
        """Post each private answer in the thread, attributed, and record it as an answer so
        votes on it count. One already posted (a retried reveal) is recorded, not posted again."""
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, plan.round_id)
            done = {a.user_id for a in round_store.counted_answers(session, rnd)}
        for user_id, text in plan.private:
            if user_id in done:
                continue
            mark = marker(BLIND_ANSWER, round_id=plan.round_id, user=user_id)
            name = names.of([user_id]).get(user_id)
            ts = landed.get(f"{BLIND_ANSWER}:{user_id}") or _post_marked(
                client, plan, render.blind_answer_message(user_id, text, name), mark
            )
            if name is not None:
                _mention_quietly(client, plan, ts, render.blind_answer_message(user_id, text))
            with self.sessions.begin() as session:
                round_store.upsert_answer(
                    session,
                    round_id=plan.round_id,
                    team_id=plan.team_id,
                    channel_id=plan.channel_id,
                    ts=ts,
                    user_id=user_id,
                    text=text,
                    version=ts,
                    now=now,
                )


class _Names:
    """Plain names for the people a reveal names without notifying (looked up once each)."""

    def __init__(self, client: WebClient, pinged: frozenset[str]) -> None:
        self.client, self.pinged = client, pinged
        self.known: dict[str, str] = {}

    def of(self, user_ids: Sequence[str]) -> dict[str, str]:
        """user id -> plain name, for those of `user_ids` who are not to be pinged."""
        for user_id in user_ids:
            if user_id not in self.pinged and user_id not in self.known:
                self.known[user_id] = display_name(self.client, user_id) or "a teammate"
        return {u: self.known[u] for u in user_ids if u in self.known}


def _mention_quietly(client: WebClient, plan: _RevealPlan, ts: str, message: Message) -> None:
    """Edit the mentions into a post that went out with plain names (an edit notifies nobody).
    If Slack refuses, the post keeps its plain names: still correct, only not clickable."""
    text, blocks = message
    try:
        edit_in_mentions(client, plan.channel_id, ts, text, blocks)
    except Exception as exc:
        log.warning(
            "could not edit the mentions into the reveal",
            extra={"channel": plan.channel_id, "round": plan.round_id, "error": slack_error(exc)},
        )


def _post_marked(
    client: WebClient, plan: _RevealPlan, message: Message, mark: dict[str, object]
) -> str:
    """Post in the round's thread; after an ambiguous failure, the post may have landed: look
    for its marker before giving up (and never post it a second time here)."""
    text, blocks = message
    try:
        reply = client.chat_postMessage(
            channel=plan.channel_id,
            thread_ts=plan.message_ts,
            text=text,
            blocks=blocks,
            metadata=mark,
        )
        return str(reply["ts"])
    except Exception as exc:
        if not is_ambiguous(exc):
            raise
        found = find_marked(client, plan.channel_id, mark, thread_ts=plan.message_ts)
        if found is None:
            raise
        return found


def _already_in_thread(client: WebClient, plan: _RevealPlan) -> dict[str, str]:
    """What an earlier, failed attempt already posted in the thread: the reveal and blind
    answers, by their markers."""
    found = client.conversations_replies(
        channel=plan.channel_id, ts=plan.message_ts, include_all_metadata=True, limit=200
    )
    landed: dict[str, str] = {}
    for message in found.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if payload.get("round_id") != plan.round_id:
            continue
        if metadata.get("event_type") == REVEAL:
            landed[REVEAL] = str(message["ts"])
        elif metadata.get("event_type") == BLIND_ANSWER:
            landed[f"{BLIND_ANSWER}:{payload.get('user')}"] = str(message["ts"])
    return landed


@dataclass(frozen=True)
class _RevealPlan:
    round_id: int
    team_id: str
    channel_id: str
    message_ts: str
    blind: bool
    question_id: str
    posted_by: str | None  # who posted a practice question
    added_by: str | None  # who added a team question
    practice: bool
    private: list[tuple[str, str]]
    retry: bool  # an earlier attempt failed or was interrupted: look before posting
    pinged: frozenset[str] = frozenset()  # asked for reveal pings and not snoozed
