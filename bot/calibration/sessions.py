"""Calibration sessions: post the card, keep scores private until the close, close exactly once
(the clock at the deadline or a manager's button), then reveal the spread to the channel, the
named detail to managers and each rater's own result to them."""

from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.calibration import render
from bot.calibration.agreement import SessionSummary, session_summary
from bot.calibration.rubric import choose_specimen
from bot.questions.library import QuestionLibrary
from bot.questions.model import Question
from bot.slack.blocks import Message, finish, sections
from bot.slack.clients import ClientFor
from bot.slack.errors import NOT_A_MEMBER, is_ambiguous, slack_error
from bot.slack.posting import find_marked, marker, post_quietly
from storage import calibration as store
from storage import channels as channel_store
from storage.calibration import CalibrationSession
from storage.states import EvidenceKind, SessionStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionPosted:
    session_id: int
    closes_at: datetime


@dataclass(frozen=True)
class NotPosted:
    error: str
    not_in_channel: bool


@dataclass(frozen=True)
class Refused:
    """The request can't become a session; `message` says why in the product's words."""

    message: str


@dataclass(frozen=True)
class AwaitingConsent:
    """The evidence is a teammate's answer: they were asked privately; nothing is posted yet."""

    session_id: int
    author_id: str


@dataclass(frozen=True)
class ScoreForm:
    question: Question
    evidence: str
    current: tuple[int, str] | None


@dataclass(frozen=True)
class ScoreSaved:
    score: int
    changed: bool
    channel_id: str
    closes_at: datetime
    timezone: str


@dataclass(frozen=True)
class SessionClosed:
    """The session is closed (or not this workspace's): nothing changed."""


@dataclass(frozen=True)
class Evidence:
    kind: EvidenceKind
    text: str
    specimen: int | None = None
    expected: int | None = None
    author_id: str | None = None


@dataclass
class CalibrationService:
    sessions: sessionmaker[Session]
    library: QuestionLibrary
    client_for: ClientFor

    # -- start ----------------------------------------------------------------------------------

    def specimen_evidence(
        self, team_id: str, question: Question, number: int | None
    ) -> Evidence | Refused:
        """The bank specimen asked for, or the one this workspace has used least."""
        if not question.specimens:
            return Refused(
                f"`{question.id}` has no specimens to score; paste an answer in the form instead (`/interview calibrate`)."
            )
        if number is None:
            with self.sessions.begin() as session:
                number = choose_specimen(
                    question, store.specimen_use(session, team_id, question.id)
                )
        if not 1 <= number <= len(question.specimens):
            return Refused(f"`{question.id}` has specimens 1 to {len(question.specimens)}.")
        specimen = question.specimens[number - 1]
        return Evidence(EvidenceKind.SPECIMEN, specimen.answer, number, specimen.expected_score)

    def start(
        self,
        team_id: str,
        channel_id: str,
        question: Question,
        evidence: Evidence,
        duration: timedelta,
        started_by: str,
        now: datetime,
    ) -> SessionPosted | NotPosted | Refused | AwaitingConsent:
        """Claim a session row, then post its card; the deadline counts from the post. A
        teammate's answer waits for its author's agreement, asked privately, before anything is
        posted."""
        if not question.can_calibrate:
            return Refused(f"`{question.id}` has no rubric yet, so a panel can't score against it.")
        consent = evidence.kind == EvidenceKind.ANSWER and evidence.author_id is not None
        with self.sessions.begin() as session:
            row = CalibrationSession(
                team_id=team_id,
                channel_id=channel_id,
                question_id=question.id,
                category=question.category,
                evidence_kind=evidence.kind,
                evidence=evidence.text,
                specimen=evidence.specimen,
                expected_score=evidence.expected,
                author_id=evidence.author_id,
                status=SessionStatus.AWAITING_CONSENT if consent else SessionStatus.CLAIMED,
                started_by=started_by,
                created_at=now,
                duration_minutes=int(duration.total_seconds() // 60),
            )
            session.add(row)
            session.flush()
            session_id = row.id
        if consent and evidence.author_id is not None:
            return self._ask_consent(team_id, session_id, question, evidence, started_by)
        return self._post(team_id, channel_id, session_id, question, evidence, now + duration)

    def _ask_consent(
        self, team_id: str, session_id: int, question: Question, evidence: Evidence, manager: str
    ) -> AwaitingConsent | NotPosted:
        assert evidence.author_id is not None
        message = render.consent_request(session_id, question, evidence.text, manager)
        if post_quietly(self.client_for(team_id), evidence.author_id, message) is None:
            with self.sessions.begin() as session:
                row = session.get_one(CalibrationSession, session_id)
                row.status, row.error = SessionStatus.FAILED, "consent_not_asked"
            return NotPosted("consent_not_asked", False)
        return AwaitingConsent(session_id, evidence.author_id)

    def answer_consent(
        self, team_id: str, session_id: int, user_id: str, allow: bool, now: datetime
    ) -> str:
        """The author's Allow or Decline; only theirs counts, and only once. Returns what to
        tell them; the manager hears privately too."""
        with self.sessions.begin() as session:
            row = store.team_session(session, team_id, session_id)
            if row is None or row.author_id != user_id:
                return "Only the answer's author can decide this."
            if not store.claim_consent(session, session_id, allow):
                return "You have already decided; nothing changed."
            manager, channel_id, question_id = row.started_by, row.channel_id, row.question_id
            evidence = Evidence(EvidenceKind.ANSWER, row.evidence, author_id=user_id)
            duration = timedelta(minutes=row.duration_minutes)
        client = self.client_for(team_id)
        question = self.library.for_team(team_id).get(question_id)
        if not allow or question is None:
            post_quietly(
                client,
                manager,
                _note(f"<@{user_id}> preferred not to share their answer; nothing was posted."),
            )
            return "Thanks, nothing was shared."
        outcome = self._post(team_id, channel_id, session_id, question, evidence, now + duration)
        if isinstance(outcome, NotPosted):
            post_quietly(
                client,
                manager,
                _note(f"Slack did not accept the session's post (`{outcome.error}`)."),
            )
            return "Thanks. The session could not be posted; the manager has been told."
        post_quietly(
            client,
            manager,
            _note(
                f"<@{user_id}> agreed: the calibration session on `{question_id}` is posted in <#{channel_id}>."
            ),
        )
        return "Thanks! Interviewers will score your answer without your name."

    def _post(
        self,
        team_id: str,
        channel_id: str,
        session_id: int,
        question: Question,
        evidence: Evidence,
        closes_at: datetime,
    ) -> SessionPosted | NotPosted:
        """Open the session, then post its card: a Score pressed the moment the card appears
        finds it open. The card carries a marker; after an ambiguous failure the bot looks for
        it instead of posting twice."""
        with self.sessions.begin() as session:
            timezone = _timezone(session, team_id, channel_id)
            row = session.get_one(CalibrationSession, session_id)
            row.status, row.closes_at = SessionStatus.OPEN, closes_at
        text, blocks = _card(session_id, question, evidence, closes_at, timezone)
        mark = marker(SESSION_POSTED, session_id=session_id)
        client = self.client_for(team_id)
        try:
            posted = client.chat_postMessage(
                channel=channel_id, text=text, blocks=blocks, unfurl_links=False, metadata=mark
            )
            message_ts: str | None = str(posted["ts"])
        except Exception as exc:
            message_ts = _found_after(client, channel_id, mark, exc)
            if message_ts is None:
                return self._post_failed(session_id, exc)
        with self.sessions.begin() as session:
            session.get_one(CalibrationSession, session_id).message_ts = message_ts
        log.info(
            "calibration session posted", extra={"session": session_id, "question": question.id}
        )
        return SessionPosted(session_id, closes_at)

    def _post_failed(self, session_id: int, exc: Exception) -> NotPosted:
        """Nothing was posted (or it can't be known): the session never opened for anyone."""
        error = slack_error(exc)
        with self.sessions.begin() as session:
            row = session.get_one(CalibrationSession, session_id)
            row.status, row.error, row.closes_at = SessionStatus.FAILED, error, None
        log.warning("calibration post failed", extra={"session": session_id, "error": error})
        return NotPosted(error, error in NOT_A_MEMBER)

    def past_answers(self, team_id: str) -> list[render.PastAnswer]:
        """Answers from revealed rounds a manager may propose as evidence."""
        with self.sessions.begin() as session:
            return [
                render.PastAnswer(answer.id, question_id, _unescaped(answer.text))
                for answer, question_id in store.revealed_answers(session, team_id)
            ]

    def past_answer(self, team_id: str, answer_id: int) -> tuple[render.PastAnswer, str] | None:
        """(the answer, its author) when it is this workspace's, from a revealed round."""
        with self.sessions.begin() as session:
            found = store.team_answer(session, team_id, answer_id)
            if found is None:
                return None
            answer, question_id = found
            return render.PastAnswer(
                answer.id, question_id, _unescaped(answer.text)
            ), answer.user_id

    # -- scoring --------------------------------------------------------------------------------

    def score_form(self, team_id: str, session_id: int, rater_id: str) -> ScoreForm | SessionClosed:
        with self.sessions.begin() as session:
            row = store.team_session(session, team_id, session_id)
            if row is None or row.status != SessionStatus.OPEN:
                return SessionClosed()
            mine = store.score_of(session, session_id, rater_id)
            question_id, evidence = row.question_id, row.evidence
            current = (mine.score, mine.note) if mine else None
        question = self.library.for_team(team_id).get(question_id)
        if question is None:
            return SessionClosed()
        return ScoreForm(question, evidence, current)

    def submit(
        self, team_id: str, session_id: int, rater_id: str, score: int, note: str, now: datetime
    ) -> ScoreSaved | SessionClosed:
        """Save or replace the rater's score while the session is open (quick: no Slack calls)."""
        with self.sessions.begin() as session:
            row = store.team_session(session, team_id, session_id)
            if row is None or row.status != SessionStatus.OPEN or row.closes_at is None:
                return SessionClosed()
            changed = store.score_of(session, session_id, rater_id) is not None
            store.save_score(
                session,
                session_id=session_id,
                team_id=team_id,
                rater_id=rater_id,
                score=score,
                note=note,
                now=now,
            )
            timezone = _timezone(session, team_id, row.channel_id)
            return ScoreSaved(score, changed, row.channel_id, row.closes_at, timezone)

    def after_score(self, team_id: str, session_id: int, rater_id: str, saved: ScoreSaved) -> None:
        """After the form closed: a private confirmation, and the card's count brought up to date."""
        client = self.client_for(team_id)
        try:
            client.chat_postEphemeral(
                channel=saved.channel_id,
                user=rater_id,
                text=render.score_saved(
                    saved.score, saved.changed, saved.closes_at, saved.timezone
                ),
            )
        except Exception as exc:
            log.info("score confirmation failed", extra={"error": slack_error(exc)})
        self._refresh_card(team_id, session_id)

    def _refresh_card(self, team_id: str, session_id: int) -> None:
        with self.sessions.begin() as session:
            row = store.team_session(session, team_id, session_id)
            if row is None or row.message_ts is None or row.closes_at is None:
                return
            scored = len(store.scores(session, session_id))
            closed = row.status == SessionStatus.CLOSED
            timezone = _timezone(session, team_id, row.channel_id)
            channel_id, message_ts, question_id = row.channel_id, row.message_ts, row.question_id
            evidence = Evidence(EvidenceKind(row.evidence_kind), row.evidence, row.specimen)
            closes_at = row.closes_at
        question = self.library.for_team(team_id).get(question_id)
        if question is None:
            return
        text, blocks = _card(session_id, question, evidence, closes_at, timezone, scored, closed)
        try:
            self.client_for(team_id).chat_update(
                channel=channel_id, ts=message_ts, text=text, blocks=blocks
            )
        except Exception as exc:  # the scores are saved; the count catches up next time
            log.warning(
                "calibration card update failed",
                extra={"session": session_id, "error": slack_error(exc)},
            )

    # -- close and reveal -----------------------------------------------------------------------

    def started_by(self, team_id: str, session_id: int) -> str | None:
        with self.sessions.begin() as session:
            row = store.team_session(session, team_id, session_id)
            return row.started_by if row else None

    def close(
        self,
        session_id: int,
        now: datetime,
        closed_by: str | None = None,
        team_id: str | None = None,
    ) -> SessionSummary | None:
        """Close the session and reveal it, exactly once; None when it was already closed.
        A button passes its workspace, so a forged id can't reach another workspace's session."""
        with self.sessions.begin() as session:
            row = session.get(CalibrationSession, session_id)
            if row is None or (team_id is not None and row.team_id != team_id):
                return None
            if not store.claim_close(session, session_id, now, closed_by):
                return None
            team_id, channel_id, message_ts = row.team_id, row.channel_id, row.message_ts or ""
            question_id, expected, started_by = row.question_id, row.expected_score, row.started_by
            scores = [(s.rater_id, s.score, s.note) for s in store.scores(session, session_id)]
        question = self.library.for_team(team_id).get(question_id)
        summary = session_summary([s for _, s, _ in scores], expected)
        try:
            client = self.client_for(team_id)
        except LookupError:  # the workspace removed the app: closed, with nothing to post
            with self.sessions.begin() as session:
                session.get_one(CalibrationSession, session_id).error = "LookupError"
            log.warning(
                "calibration session closed without a reveal: app removed",
                extra={"team": team_id, "session": session_id},
            )
            return summary
        reveal = render.reveal_message(summary, _extreme_notes(scores))
        reveal_ts = post_quietly(client, channel_id, reveal, thread_ts=message_ts)
        with self.sessions.begin() as session:
            row = session.get_one(CalibrationSession, session_id)
            row.reveal_ts = reveal_ts
            row.error = None if reveal_ts else "reveal_not_posted"
        if summary.enough_raters and reveal_ts:
            self._upload_chart(client, channel_id, message_ts, session_id, summary, question)
        self._refresh_card(team_id, session_id)
        if question is not None:
            managers = {started_by} | ({closed_by} if closed_by else set())
            self._tell_privately(client, managers, render.manager_detail(question, scores, summary))
        for rater, score, _ in scores:
            self._tell_privately(client, {rater}, render.rater_note(score, summary))
        log.info("calibration session closed", extra={"session": session_id, "raters": len(scores)})
        return summary

    def close_due(self, now: datetime) -> list[int]:
        """The clock: close every open session whose deadline has passed."""
        with self.sessions.begin() as session:
            due = list(store.due_closes(session, now))
        return [session_id for session_id in due if self.close(session_id, now) is not None]

    def _upload_chart(
        self,
        client: WebClient,
        channel_id: str,
        thread_ts: str,
        session_id: int,
        summary: SessionSummary,
        question: Question | None,
    ) -> None:
        """The distribution as an image in the thread; the text reveal is out already."""
        from bot.calibration.charts import score_distribution_png  # matplotlib: only when drawn

        title = f"Scores for {question.id}" if question else "Scores"
        try:
            png = score_distribution_png(summary, title)
            client.files_upload_v2(
                channel=channel_id,
                thread_ts=thread_ts,
                content=png,
                filename=f"calibration-{session_id}.png",
                title=title,
                alt_txt=", ".join(f"{level}: {n}" for level, n in summary.counts.items()),
            )
        except Exception as exc:
            log.warning(
                "calibration chart upload failed",
                extra={"session": session_id, "error": slack_error(exc)},
            )

    @staticmethod
    def _tell_privately(client: WebClient, people: set[str], message: Message) -> None:
        for user_id in sorted(people):
            post_quietly(client, user_id, message)  # a user id: the bot's DM with them


def _card(
    session_id: int,
    question: Question,
    evidence: Evidence,
    closes_at: datetime,
    timezone: str,
    scored: int = 0,
    closed: bool = False,
) -> Message:
    label = render.evidence_label(evidence.kind, evidence.specimen)
    card = render.SessionCard(
        session_id, question, evidence.text, label, closes_at, timezone, scored, closed
    )
    return render.session_card(card)


SESSION_POSTED = "interview_calibration_posted"


def _found_after(
    client: WebClient, channel_id: str, mark: dict[str, object], exc: Exception
) -> str | None:
    """After an ambiguous failure, the card's ts if it landed after all; None otherwise (or
    when Slack can't be asked: the session is then marked failed, never posted twice)."""
    if not is_ambiguous(exc):
        return None
    try:
        return find_marked(client, channel_id, mark, oldest=time.time() - 300)
    except Exception:
        return None


def _unescaped(slack_text: str) -> str:
    """Message text arrives from Slack with &, < and > escaped; evidence is stored as written
    (and escaped again wherever it is shown)."""
    return html.unescape(slack_text)


def _note(text: str) -> Message:
    return finish(text, sections(text))


def _extreme_notes(scores: list[tuple[str, int, str]]) -> render.RevealNotes:
    if len(scores) < 2:
        return render.RevealNotes(None, None)
    ordered = sorted(scores, key=lambda s: s[1])
    low, high = ordered[0], ordered[-1]
    return render.RevealNotes((high[1], high[2]), (low[1], low[2]))


def _timezone(session: Session, team_id: str, channel_id: str) -> str:
    row = channel_store.get_schedule(session, team_id, channel_id)
    return (row.timezone if row else None) or "UTC"
