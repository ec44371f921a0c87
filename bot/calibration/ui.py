"""What hiring managers and interviewers do with calibration from Slack: start a session, score
it privately, close it, read the report; each returns a reply in the product's words."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.calibration import render
from bot.calibration.reports import CalibrationReports
from bot.calibration.rubric import (
    CalibrateRequest,
    check_duration,
    parse_calibrate,
    parse_duration,
    parse_report,
)
from bot.calibration.sessions import (
    AwaitingConsent,
    CalibrationService,
    Evidence,
    NotPosted,
    Refused,
    ScoreSaved,
    SessionClosed,
    SessionPosted,
)
from bot.channels.ui import INVITE_HINT
from bot.questions.library import QuestionLibrary
from bot.questions.model import Question
from bot.questions.practice import FilterError, find_question
from bot.slack.blocks import metadata
from bot.slack.clients import ClientFor
from bot.slack.commands import Access, Handler, SubCommand, first_word, usage_message
from bot.slack.errors import slack_error, what_to_fix
from bot.slack.mrkdwn import slack_date_time
from bot.slack.people import People, RoleUnknown, ask_one_of
from bot.slack.replies import NO_REPLY, FormErrors, Invocation, Reply
from storage.states import EvidenceKind

log = logging.getLogger(__name__)

SECTION = "Calibration"
COMMANDS = (
    SubCommand(
        "calibrate",
        "[<question-id> [specimen N] [for 2h]]",
        "a panel scores the same answer blind; without a question id, a form",
        SECTION,
        0,
        5,
        Access.MANAGER,
    ),
    SubCommand(
        "calibration",
        "report [@user] [since YYYY-MM-DD]",
        "agreement, each interviewer's bias, who is calibrated",
        SECTION,
        1,
        4,
        Access.MANAGER,
        check=first_word("report"),
    ),
)
CALIBRATE, REPORT = COMMANDS
CLOSED = "This session is closed; scores can't change any more. The reveal is in its thread."
MANAGERS_ONLY = "Only hiring managers can {what}."


@dataclass
class CalibrationUI:
    calibration: CalibrationService
    reports: CalibrationReports
    library: QuestionLibrary
    client_for: ClientFor
    people: People

    def handlers(self) -> dict[str, Handler]:
        return {"calibrate": self.calibrate, "calibration": self.report}

    # -- starting a session ---------------------------------------------------------------------

    def calibrate(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not args:
            return self._open_form(inv)
        request = parse_calibrate(args, usage_message(CALIBRATE))
        if isinstance(request, str):
            return Reply(request)
        question = self._question(inv.team_id, request.question_id)
        if isinstance(question, Reply):
            return question
        evidence = self.calibration.specimen_evidence(inv.team_id, question, request.specimen)
        if isinstance(evidence, Refused):
            return Reply(evidence.message)
        return self._start(
            inv.team_id, inv.channel_id, inv.user_id, question, evidence, request, now
        )

    def _question(self, team_id: str, question_id: str) -> Question | Reply:
        try:
            question = find_question(self.library.for_team(team_id), question_id)
        except FilterError as exc:
            return Reply(usage_message(CALIBRATE, str(exc)))
        if not question.can_calibrate:
            return Reply(f"`{question.id}` has no rubric yet, so a panel can't score against it.")
        return question

    def _start(
        self,
        team_id: str,
        channel_id: str,
        user_id: str,
        question: Question,
        evidence: Evidence,
        request: CalibrateRequest,
        now: datetime,
    ) -> Reply:
        outcome = self.calibration.start(
            team_id, channel_id, question, evidence, request.duration, user_id, now
        )
        match outcome:
            case SessionPosted(closes_at=closes_at):
                return Reply(
                    f"Calibration session posted for `{question.id}`. It closes "
                    f"{slack_date_time(closes_at, 'UTC')}; you'll get the named detail privately."
                )
            case NotPosted(error="not_in_channel"):
                return Reply(INVITE_HINT)
            case NotPosted(error=error):
                return Reply(
                    f"Slack did not accept the session's post (`{error}`). {what_to_fix(error)}"
                )
            case Refused(message=message):
                return Reply(message)
            case AwaitingConsent(author_id=author_id):
                return Reply(
                    f"I asked <@{author_id}> privately whether the panel may score their answer "
                    "(without their name). The session is posted here as soon as they agree."
                )
        raise AssertionError(outcome)

    def consent(
        self, team_id: str, session_id: int, user_id: str, allow: bool, now: datetime
    ) -> Reply:
        """The author's Allow or Decline on the private request."""
        return Reply(self.calibration.answer_consent(team_id, session_id, user_id, allow, now))

    def _open_form(self, inv: Invocation) -> Reply:
        if not inv.trigger_id:
            return Reply("Open the form again with `/interview calibrate`.")
        questions = [q for q in self.library.for_team(inv.team_id).questions if q.can_calibrate]
        if not questions:
            return Reply(
                "No question in the bank has a rubric yet, so there is nothing to calibrate on."
            )
        answers = self.calibration.past_answers(inv.team_id)
        view = render.calibrate_modal(inv.channel_id, questions, answers)
        self.client_for(inv.team_id).views_open(trigger_id=inv.trigger_id, view=view)
        return NO_REPLY

    def open_form_from_home(self, team_id: str, user_id: str, trigger_id: str) -> Reply | None:
        """The Home tab's button: the same form, with a channel to post in. Only managers see
        the button; a stale Home tab, or a role Slack could not confirm, is told why."""
        try:
            if not self.people.is_manager(team_id, user_id):
                return Reply(self._managers_only(team_id))
        except RoleUnknown as exc:
            return Reply(exc.message)
        questions = [q for q in self.library.for_team(team_id).questions if q.can_calibrate]
        view = render.calibrate_modal(None, questions, self.calibration.past_answers(team_id))
        self.client_for(team_id).views_open(trigger_id=trigger_id, view=view)
        return None

    def _managers_only(
        self, team_id: str, what: str = "start a calibration session", *, plain: bool = False
    ) -> str:
        """The refusal, naming whom to ask (plain names for a form's error)."""
        name = self.people.plain_name(team_id) if plain else (lambda u: f"<@{u}>")
        ask = ask_one_of(self.people.managers_to_ask(team_id), name=name)
        return f"{MANAGERS_ONLY.format(what=what)} {ask}"

    def home_blocks(self, team_id: str, user_id: str) -> list[dict[str, Any]]:
        """Managers' Home tab section: who is calibrated and who needs another session."""
        try:
            if not self.people.is_manager(team_id, user_id):
                return []
        except RoleUnknown:  # the getting-started section says Slack could not be asked
            return []
        profiles = self.reports.profiles(team_id)
        calibrated = [p.rater for p in profiles if p.calibrated]
        pending = [(p.rater, p.reasons()) for p in profiles if not p.calibrated]
        return render.home_section(calibrated, pending)

    def submit_form(
        self,
        team_id: str,
        user_id: str,
        private_metadata: str | None,
        fields: dict[str, str | None],
    ) -> tuple[FormErrors | None, CalibrateRequest | None, Evidence | None, str | None]:
        """Check the form before it closes: errors under the fields, or what to start."""
        channel_id = metadata(private_metadata).get("channel_id") or fields.get("channel")
        try:
            if not self.people.is_manager(team_id, user_id):
                return {"question": self._managers_only(team_id, plain=True)}, None, None, None
        except RoleUnknown as exc:
            return {"question": exc.message.replace("`", "")}, None, None, None
        if not isinstance(channel_id, str) or not channel_id:
            return {"channel": "Choose the channel to post the session in."}, None, None, None
        question = self._question(team_id, fields.get("question") or "")
        if isinstance(question, Reply):
            return {"question": question.text}, None, None, None
        duration = parse_duration((fields.get("duration") or "").strip())
        problem = check_duration(duration)
        if problem or duration is None:
            return {"duration": problem or ""}, None, None, None
        evidence = self._form_evidence(team_id, question, fields)
        if isinstance(evidence, dict):
            return evidence, None, None, None
        return (
            None,
            CalibrateRequest(question.id, evidence.specimen, duration),
            evidence,
            channel_id,
        )

    def _form_evidence(
        self, team_id: str, question: Question, fields: dict[str, str | None]
    ) -> Evidence | FormErrors:
        choice = fields.get("evidence") or "auto"
        if choice == "pasted":
            text = (fields.get("pasted") or "").strip()
            if not text:
                return {"pasted": "Paste the answer the panel should score."}
            return Evidence(EvidenceKind.PASTED, text)
        if choice == "answer":
            return self._answer_evidence(team_id, question, fields.get("answer"))
        number = int(choice.removeprefix("specimen-")) if choice.startswith("specimen-") else None
        evidence = self.calibration.specimen_evidence(team_id, question, number)
        if isinstance(evidence, Refused):
            return {"evidence": evidence.message}
        return evidence

    def _answer_evidence(
        self, team_id: str, question: Question, answer_id: str | None
    ) -> Evidence | FormErrors:
        if not answer_id or not answer_id.isdigit():
            return {"answer": "Choose the teammate's answer the panel should score."}
        found = self.calibration.past_answer(team_id, int(answer_id))
        if found is None:
            return {"answer": "That answer is no longer available."}
        past, author_id = found
        if past.question_id != question.id:
            return {"answer": f"That answer is to `{past.question_id}`; choose that question."}
        return Evidence(EvidenceKind.ANSWER, past.text, author_id=author_id)

    def start_from_form(
        self,
        team_id: str,
        user_id: str,
        channel_id: str,
        request: CalibrateRequest,
        evidence: Evidence,
        now: datetime,
    ) -> None:
        """After the form closed: post the session, and tell the manager privately how it went."""
        question = self._question(team_id, request.question_id)
        if isinstance(question, Reply):
            return
        reply = self._start(team_id, channel_id, user_id, question, evidence, request, now)
        try:
            self.client_for(team_id).chat_postEphemeral(
                channel=channel_id, user=user_id, text=reply.text
            )
        except Exception as exc:
            log.info("calibration confirmation failed", extra={"error": slack_error(exc)})

    # -- scoring and closing --------------------------------------------------------------------

    def score_button(
        self, team_id: str, session_id: int, user_id: str, trigger_id: str
    ) -> Reply | None:
        form = self.calibration.score_form(team_id, session_id, user_id)
        if isinstance(form, SessionClosed):
            return Reply(CLOSED)
        view = render.score_modal(session_id, form.question, form.evidence, form.current)
        self.client_for(team_id).views_open(trigger_id=trigger_id, view=view)
        return None

    def submit_score(
        self,
        team_id: str,
        user_id: str,
        private_metadata: str | None,
        fields: dict[str, str | None],
        now: datetime,
    ) -> tuple[FormErrors | None, ScoreSaved | None, int | None]:
        session_id = metadata(private_metadata).get("session_id")
        if not isinstance(session_id, int):
            return {render.SCORE_INPUT: "This form is out of date; press Score again."}, None, None
        raw = fields.get(render.SCORE_INPUT) or ""
        if raw not in ("1", "2", "3", "4"):
            return {render.SCORE_INPUT: "Choose a score from 1 to 4."}, None, None
        note = (fields.get(render.NOTE_INPUT) or "").strip()
        if not note:
            return {render.NOTE_INPUT: "Say why: the evidence for your score."}, None, None
        saved = self.calibration.submit(
            team_id, session_id, user_id, int(raw), note[: render.NOTE_LIMIT], now
        )
        if isinstance(saved, SessionClosed):
            return {render.SCORE_INPUT: CLOSED}, None, None
        return None, saved, session_id

    def after_score(self, team_id: str, user_id: str, session_id: int, saved: ScoreSaved) -> None:
        self.calibration.after_score(team_id, session_id, user_id, saved)

    def close_button(
        self, team_id: str, session_id: int, user_id: str, now: datetime
    ) -> Reply | None:
        if not self.people.is_manager(team_id, user_id):
            return Reply(self._managers_only(team_id, "close a session"))
        if self.calibration.close(session_id, now, closed_by=user_id, team_id=team_id) is None:
            return Reply("This session is already closed.")
        return None

    # -- the report -----------------------------------------------------------------------------

    def report(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        request = parse_report(args, usage_message(REPORT))
        if isinstance(request, str):
            return Reply(request)
        report = self.reports.report(inv.team_id, request.since)
        since = request.since.isoformat() if request.since else None
        text = render.report_text(report, since=since, only=request.user_id)
        if report.sessions:
            self.reports.send_chart(self.client_for(inv.team_id), inv.user_id, report)
        return Reply(text)
