"""The reveal: at the deadline (or when an admin or a practice question's poster asks), post
what the interviewer looks for, the sample answer, who answered and the top-voted answers in the
question's thread, and close the question; exactly once per round."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.questions.bank import Question
from bot.questions.library import QuestionLibrary
from bot.rounds import render
from bot.slack.blocks import Message
from bot.slack.clients import ClientFor
from bot.slack.errors import PERMANENT, slack_error
from storage import blind as blind_store
from storage import channels as channel_store
from storage import rounds as round_store
from storage import votes as vote_store
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


class Reveals:
    """Reveals rounds; the round service (and so the clock and the slash command) has these."""

    sessions: sessionmaker[Session]
    library: QuestionLibrary
    client_for: ClientFor

    def reveal_open(self, team_id: str, channel_id: str, now: datetime) -> Revealed | None:
        """Reveal the channel's open daily round now, else its newest practice round."""
        with self.sessions.begin() as session:
            rnd = round_store.open_round(session, team_id, channel_id) or round_store.open_round(
                session, team_id, channel_id, kind=None
            )
            round_id = rnd.id if rnd is not None and rnd.status == RoundStatus.OPEN else None
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
            if not round_store.claim_reveal(session, round_id, now, team_id):
                return None
            rnd = session.get_one(Round, round_id)
            plan = _RevealPlan(
                round_id=round_id,
                team_id=rnd.team_id,
                channel_id=rnd.channel_id,
                message_ts=rnd.message_ts or "",
                blind=rnd.mode == AnswerMode.BLIND,
                question_id=rnd.question_id,
                practice=rnd.kind == RoundKind.PRACTICE,
                private=[(b.user_id, b.text) for b in blind_store.blind_answers(session, round_id)],
            )
            row = channel_store.get_schedule(session, plan.team_id, plan.channel_id)
            vote_emoji = row.vote_emoji if row else DEFAULT_VOTE_EMOJI
        question = self.library.for_team(plan.team_id).get(plan.question_id) or MISSING_QUESTION
        try:
            client = self.client_for(plan.team_id)
            if plan.blind:
                self._post_blind_answers(client, plan, now)
            participants, message = self._reveal_message(plan, question, vote_emoji)
            reply = client.chat_postMessage(
                channel=plan.channel_id,
                thread_ts=plan.message_ts,
                text=message[0],
                blocks=message[1],
            )
        except Exception as exc:
            self._reveal_failed(plan, exc)
            return None
        with self.sessions.begin() as session:
            session.get_one(Round, round_id).reveal_ts = str(reply["ts"])
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
        self, plan: _RevealPlan, question: Question, vote_emoji: str
    ) -> tuple[list[str], Message]:
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
        return participants, message

    def _reveal_failed(self, plan: _RevealPlan, exc: Exception) -> None:
        error = slack_error(exc)
        gone = error in PERMANENT  # e.g. removed from the channel: retrying will not help
        log.warning(
            "reveal failed" + ("" if gone else "; will retry next minute"),
            extra={"channel": plan.channel_id, "round": plan.round_id, "error": error},
        )
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, plan.round_id)
            if gone:
                rnd.status, rnd.error = RoundStatus.FAILED, error
            else:
                rnd.status, rnd.revealed_at = RoundStatus.OPEN, None

    @staticmethod
    def _close_question(
        client: WebClient, plan: _RevealPlan, question: Question, answered: int
    ) -> None:
        try:
            text, blocks = render.closed_question_message(
                question, answered, practice=plan.practice
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

    def _post_blind_answers(self, client: WebClient, plan: _RevealPlan, now: datetime) -> None:
        """Post each private answer in the thread, attributed, and record it as an answer so
        votes on it count. An answer already posted (a retried reveal) is not posted again."""
        with self.sessions.begin() as session:
            rnd = session.get_one(Round, plan.round_id)
            done = {a.user_id for a in round_store.counted_answers(session, rnd)}
        for user_id, text in plan.private:
            if user_id in done:
                continue
            message_text, blocks = render.blind_answer_message(user_id, text)
            reply = client.chat_postMessage(
                channel=plan.channel_id, thread_ts=plan.message_ts, text=message_text, blocks=blocks
            )
            with self.sessions.begin() as session:
                round_store.upsert_answer(
                    session,
                    round_id=plan.round_id,
                    team_id=plan.team_id,
                    channel_id=plan.channel_id,
                    ts=str(reply["ts"]),
                    user_id=user_id,
                    text=text,
                    version=str(reply["ts"]),
                    now=now,
                )


@dataclass(frozen=True)
class _RevealPlan:
    round_id: int
    team_id: str
    channel_id: str
    message_ts: str
    blind: bool
    question_id: str
    practice: bool
    private: list[tuple[str, str]]
