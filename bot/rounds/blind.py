"""Blind rounds: answers given privately through a form, changeable until the reveal posts them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.rounds import render
from bot.slack.clients import ClientFor
from bot.slack.errors import slack_error
from storage import blind as blind_store
from storage import channels as channel_store
from storage.rounds import Round
from storage.states import AnswerMode, RoundStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BlindAnswerSaved:
    """The private answer is stored (replacing the person's earlier one)."""


@dataclass(frozen=True)
class RoundClosed:
    """The round was revealed (or is not a blind round): no more private answers."""


@dataclass
class BlindAnswers:
    sessions: sessionmaker[Session]
    client_for: ClientFor

    def _open_blind(self, session: Session, team_id: str, round_id: int) -> Round | None:
        """The blind round, while it takes answers. A claimed round takes them too: its Answer
        button is in Slack as soon as the post lands, a moment before the post is saved."""
        rnd = session.get(Round, round_id)
        if (
            rnd is None
            or rnd.team_id != team_id
            or rnd.status not in (RoundStatus.CLAIMED, RoundStatus.OPEN)
            or rnd.mode != AnswerMode.BLIND
        ):
            return None
        return rnd

    def submit(
        self, team_id: str, round_id: int, user_id: str, text: str, now: datetime
    ) -> BlindAnswerSaved | RoundClosed:
        """Store a private answer, replacing the person's earlier one (quick: no Slack calls)."""
        with self.sessions.begin() as session:
            if self._open_blind(session, team_id, round_id) is None:
                return RoundClosed()
            blind_store.save_blind_answer(
                session, round_id=round_id, team_id=team_id, user_id=user_id, text=text, now=now
            )
        return BlindAnswerSaved()

    def refresh_counter(self, team_id: str, round_id: int) -> None:
        """Update the thread's "N answers so far" message to the current count."""
        with self.sessions.begin() as session:
            rnd = session.get(Round, round_id)
            if rnd is None or rnd.team_id != team_id:
                return
            count = len(blind_store.blind_answers(session, round_id))
            channel_id, counter_ts, reveal_at = rnd.channel_id, rnd.counter_ts, rnd.reveal_at
            timezone = channel_store.timezone(session, team_id, channel_id)
        if counter_ts is None or reveal_at is None:
            return
        text, blocks = render.blind_counter_message(count, reveal_at, timezone)
        try:
            self.client_for(team_id).chat_update(
                channel=channel_id, ts=counter_ts, text=text, blocks=blocks
            )
        except Exception as exc:  # the answer is saved; the count catches up next time
            log.warning(
                "counter update failed", extra={"round": round_id, "error": slack_error(exc)}
            )

    def open_round(
        self, team_id: str, round_id: int, user_id: str
    ) -> tuple[str, str | None] | None:
        """(question id, the person's current answer) while the blind round is open."""
        with self.sessions.begin() as session:
            rnd = self._open_blind(session, team_id, round_id)
            if rnd is None:
                return None
            answer = blind_store.blind_answer(session, round_id, user_id)
            return rnd.question_id, (answer.text if answer else None)
